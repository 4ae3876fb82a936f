package org.bpfmaps.codec;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lays a record out like a C struct with {@code __attribute__((packed))}: no padding, alignment 1.
 *
 * <p>Nested records keep their own layout; only their placement inside the packed record ignores alignment.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Packed {
}
