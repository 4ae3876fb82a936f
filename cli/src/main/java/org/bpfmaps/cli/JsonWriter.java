package org.bpfmaps.cli;

import java.io.PrintStream;

/**
 * A streaming JSON writer that lays its output out the way bpftool's writer does, so that {@code -j} and
 * {@code -p} output compare byte for byte.
 *
 * <p>The layout rules, as observed on bpftool v7.1:
 * <ul>
 *   <li>A separator ({@code ,}) is written before every value except the first one in a container.</li>
 *   <li>In pretty mode a newline and four spaces per open container come before every member name and before
 *       the closing bracket of a non-empty container, but not before array elements. Hence arrays of scalars
 *       stay on one line with their closing bracket on the next: {@code ["0x01","0x02"\n    ]}.</li>
 *   <li>A colon follows a name, plus one space in pretty mode.</li>
 *   <li>Strings escape tab, newline, carriage return, form feed, backspace, backslash and double quote only.</li>
 *   <li>The document ends with one newline ({@link #finish()}), written even when nothing else was.</li>
 * </ul>
 * Output goes straight to the stream, so a command that fails half way leaves what it wrote, as bpftool does.
 */
final class JsonWriter {
    private static final char NONE = '\0';

    private final PrintStream out;
    private final boolean pretty;
    private int depth;
    private char separator = NONE;
    private final StringBuilder open = new StringBuilder();

    JsonWriter(PrintStream out, boolean pretty) {
        this.out = out;
        this.pretty = pretty;
    }

    /** Whether this writer indents. */
    boolean pretty() {
        return pretty;
    }

    /** Opens an object as the next value. */
    JsonWriter startObject() {
        return begin('{');
    }

    /** Closes the innermost object. */
    JsonWriter endObject() {
        return end('}');
    }

    /** Opens an array as the next value. */
    JsonWriter startArray() {
        return begin('[');
    }

    /** Closes the innermost array. */
    JsonWriter endArray() {
        return end(']');
    }

    /** Writes a member name; the next call writes its value. */
    JsonWriter name(String name) {
        beforeValue();
        newline();
        separator = NONE;
        quote(name);
        out.print(':');
        if (pretty) {
            out.print(' ');
        }
        return this;
    }

    /** Writes a value exactly as given (a number, {@code null}, {@code true}, a pre-quoted string). */
    JsonWriter raw(String literal) {
        beforeValue();
        out.print(literal);
        return this;
    }

    /** Writes a string value with the escapes listed in the class comment. */
    JsonWriter string(String value) {
        beforeValue();
        quote(value);
        return this;
    }

    /** Writes a string value between double quotes without escaping it (bpftool's error messages). */
    JsonWriter unescaped(String value) {
        beforeValue();
        out.print('"');
        out.print(value);
        out.print('"');
        return this;
    }

    /** Writes {@code null}. */
    JsonWriter nullValue() {
        return raw("null");
    }

    /** Writes {@code true} or {@code false}. */
    JsonWriter bool(boolean value) {
        return raw(value ? "true" : "false");
    }

    /** A name and a raw value. */
    JsonWriter field(String name, String literal) {
        return name(name).raw(literal);
    }

    /** A name and a string value. */
    JsonWriter stringField(String name, String value) {
        return name(name).string(value);
    }

    /**
     * Closes every container still open, innermost first, so that a command cut short by a usage error still
     * leaves a well-formed document (bpftool aborts on an assertion there instead).
     */
    void closeAll() {
        while (open.length() > 0) {
            end(open.charAt(open.length() - 1));
        }
    }

    /** Ends the document with its newline. */
    void finish() {
        out.print('\n');
        out.flush();
    }

    private JsonWriter begin(char bracket) {
        beforeValue();
        out.print(bracket);
        depth++;
        open.append(bracket == '{' ? '}' : ']');
        separator = NONE;
        return this;
    }

    private JsonWriter end(char bracket) {
        if (depth > 0) {
            depth--;
            open.setLength(open.length() - 1);
        }
        if (separator != NONE) {
            newline();
        }
        out.print(bracket);
        separator = ',';
        return this;
    }

    private void beforeValue() {
        if (separator != NONE) {
            out.print(separator);
        }
        separator = ',';
    }

    private void newline() {
        if (!pretty) {
            return;
        }
        out.print('\n');
        for (int i = 0; i < depth; i++) {
            out.print("    ");
        }
    }

    private void quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\f' -> sb.append("\\f");
                case '\b' -> sb.append("\\b");
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                default -> sb.append(c);
            }
        }
        out.print(sb.append('"'));
    }
}
