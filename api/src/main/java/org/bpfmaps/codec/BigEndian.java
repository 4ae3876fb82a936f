package org.bpfmaps.codec;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Stores a record component (or, on a record, every component without its own order) big endian.
 *
 * <p>Network-order fields such as IP addresses and ports in packet headers are big endian. Without this or
 * {@link LittleEndian}, fields use the native order of the running machine, as a BPF program does.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.TYPE})
public @interface BigEndian {
}
