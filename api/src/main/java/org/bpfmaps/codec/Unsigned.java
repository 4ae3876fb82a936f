package org.bpfmaps.codec;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an integer component as the unsigned C type of its Java width ({@code int} as {@code u32}).
 *
 * <p>The bits are stored unchanged; Java reads them back as the signed value with the same bits (use
 * {@link Integer#toUnsignedLong} and friends). For a narrower or range-checked type use {@link StoredAs}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Unsigned {
}
