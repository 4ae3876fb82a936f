/**
 * {@code bpfmaps}: bpftool's {@code map} command language on a bpfmaps backend, with bpftool v7.1's output byte
 * for byte.
 *
 * <p>{@link org.bpfmaps.cli.Main} is the entry point. {@code Cli} parses the global options as getopt does,
 * picks the backend and runs the top-level commands ({@code map}, {@code feature probe}, {@code batch});
 * {@code MapCommands} holds the map commands, each following the bpftool function of the same name;
 * {@code JsonWriter} lays JSON out as bpftool's writer does ({@code -j} and the peculiar {@code -p});
 * {@code Numbers} parses bytes and sizes with {@code strtoul}'s rules and prints hex as {@code fprint_hex};
 * {@code PinTable} orders {@code show -f}'s pinned paths as libbpf's hash map does.
 */
package org.bpfmaps.cli;
