package org.bpfmaps.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapType;

/**
 * Declares a map to create for a test parameter or field of type {@link org.bpfmaps.BpfMap} or a typed view.
 *
 * <p>Typed views ({@link org.bpfmaps.typed.TypedMap}, {@link org.bpfmaps.typed.PerCpuMap},
 * {@link org.bpfmaps.typed.LpmTrie}, {@link org.bpfmaps.typed.BpfQueue}, {@link org.bpfmaps.typed.BpfStack},
 * {@link org.bpfmaps.typed.BloomFilter}) take their codecs from their type arguments
 * ({@link org.bpfmaps.codec.Codecs#forType}: records as C structs, boxed integers as native signed integers),
 * and key and value sizes default to the codecs' sizes. Either give {@link #type()} or name a static method of
 * the test class returning a {@link org.bpfmaps.MapSpec} in {@link #spec()}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD})
public @interface BpfMapDef {
    /** The map type; {@link MapType#UNSPEC} (the default) only together with {@link #spec()}. */
    MapType type() default MapType.UNSPEC;

    /** Key size in bytes; {@code -1} (default): the key codec's size, 0 for keyless types, 8 for an LPM trie. */
    int keySize() default -1;

    /** Value size in bytes (per CPU for per-CPU types); {@code -1} (default): the value codec's size. */
    int valueSize() default -1;

    /** Maximum entries (for ring buffers: the data size in bytes). */
    int maxEntries() default 16;

    /** Map flags, e.g. {@link MapFlag#NO_PREALLOC}, which an LPM trie needs. */
    MapFlag[] flags() default {};

    /** The map name (at most 15 characters of {@code [A-Za-z0-9_.]}). */
    String name() default "";

    /** {@code map_extra}, e.g. a bloom filter's hash count. */
    long mapExtra() default 0;

    /** Name of a static no-argument method of the test class returning the {@link org.bpfmaps.MapSpec} to create. */
    String spec() default "";
}
