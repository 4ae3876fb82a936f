package org.bpfmaps.codec;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives an array component its fixed C length, as in {@code __u8 mac[6]}: {@code @Array(6) byte[] mac}.
 *
 * <p>Allowed on arrays of {@code byte}, {@code short}, {@code char}, {@code int}, {@code long}, {@code float},
 * {@code double}, {@code boolean} and records. Encoding refuses an array of another length.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Array {
    /** The number of elements. */
    int value();
}
