package org.bpfmaps.codec;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Stores an integer component (or the elements of an integer array) as the given C type.
 *
 * <p>The C type may be as wide as the Java type or narrower, never wider. As wide: the bits are stored
 * unchanged. Narrower: encoding checks the value fits (e.g. {@code 0..65535} for {@link IntegerType#U16})
 * and fails naming the field otherwise; decoding sign- or zero-extends as the C type says. A Java
 * {@code int} port stored as {@code u16} is {@code @StoredAs(IntegerType.U16) int port}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface StoredAs {
    /** The C type. */
    IntegerType value();
}
