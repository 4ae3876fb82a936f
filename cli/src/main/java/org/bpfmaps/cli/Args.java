package org.bpfmaps.cli;

/**
 * A cursor over a command's words, with bpftool's positional idioms: {@code argc} is the number of words left,
 * {@link #prev()} the word just consumed (bpftool's {@code argv[-1]}).
 */
final class Args {
    private final String[] words;
    private int pos;

    Args(String[] words, int pos) {
        this.words = words;
        this.pos = pos;
    }

    /** Words left. */
    int argc() {
        return words.length - pos;
    }

    /** The current word, or {@code null} past the end. */
    String cur() {
        return pos < words.length ? words[pos] : null;
    }

    /** The word {@code k} places after the current one, or {@code null}. */
    String peek(int k) {
        int i = pos + k;
        return i >= 0 && i < words.length ? words[i] : null;
    }

    /** The word before the current one. */
    String prev() {
        return pos > 0 && pos - 1 < words.length ? words[pos - 1] : "";
    }

    /** Moves one word on; past the end is a usage error, as bpftool's {@code NEXT_ARG()}. */
    void next() {
        pos++;
        if (argc() < 0) {
            throw new Cli.UsageExit();
        }
    }

    /** Moves {@code n} words on without checks. */
    void skip(int n) {
        pos += n;
    }

    /** A view of the words from the current one on. */
    Args rest() {
        return new Args(words, pos);
    }

    /** bpftool's {@code is_prefix(word, full)}: {@code word} is a non-null prefix of {@code full}. */
    static boolean isPrefix(String word, String full) {
        return word != null && full.startsWith(word);
    }
}
