package org.bpfmaps.cli;

import java.math.BigInteger;

/**
 * Number parsing and hex printing with the C library's rules, because bpftool's grammar is defined by them:
 * byte and size arguments go through {@code strtoul}, so {@code 0x1f}, {@code 017} (octal), {@code -1} and
 * {@code 300} (truncated to a byte) all mean what they mean to bpftool.
 */
final class Numbers {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger ULONG_MAX = TWO_64.subtract(BigInteger.ONE);

    private Numbers() {
    }

    /**
     * {@code strtoul(s, &end, base)} followed by bpftool's {@code *end} check: the unsigned 64-bit result, or
     * {@code null} when characters are left over. {@code base} is 0 (prefix decides) or 16.
     */
    static Long strtoul(String s, int base) {
        int i = 0;
        int n = s.length();
        while (i < n && isSpace(s.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        int radix = base;
        if ((radix == 0 || radix == 16) && i + 1 < n && s.charAt(i) == '0'
                && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
                && i + 2 < n && Character.digit(s.charAt(i + 2), 16) >= 0) {
            radix = 16;
            i += 2;
        } else if (radix == 0) {
            radix = i < n && s.charAt(i) == '0' ? 8 : 10;
        }
        int start = i;
        BigInteger value = BigInteger.ZERO;
        BigInteger r = BigInteger.valueOf(radix);
        boolean overflow = false;
        while (i < n) {
            int d = Character.digit(s.charAt(i), radix);
            if (d < 0 || s.charAt(i) > 0x7f) {
                break;
            }
            if (!overflow) {
                value = value.multiply(r).add(BigInteger.valueOf(d));
                if (value.compareTo(ULONG_MAX) > 0) {
                    overflow = true;
                }
            }
            i++;
        }
        if (i == start) {
            // No digits: strtoul leaves the end pointer at the start of the string.
            return s.isEmpty() ? 0L : null;
        }
        if (i != n) {
            return null;
        }
        if (overflow) {
            return -1L;
        }
        if (negative) {
            value = TWO_64.subtract(value).mod(TWO_64);
        }
        return value.longValue();
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }

    /**
     * Appends {@code n} bytes as bpftool's {@code fprint_hex}: two lowercase digits each, separated by a
     * space, an extra space after every 8th byte and a newline after every 16th.
     */
    static StringBuilder hex(StringBuilder sb, byte[] data, int offset, int n) {
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                if (i % 16 == 0) {
                    sb.append('\n');
                } else if (i % 8 == 0) {
                    sb.append("  ");
                } else {
                    sb.append(' ');
                }
            }
            int b = data[offset + i] & 0xff;
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb;
    }

    /** Writes {@code n} bytes as a JSON array of {@code "0x.."} strings. */
    static void hexJson(JsonWriter json, byte[] data, int offset, int n) {
        json.startArray();
        StringBuilder sb = new StringBuilder(6);
        for (int i = 0; i < n; i++) {
            int b = data[offset + i] & 0xff;
            sb.setLength(0);
            sb.append("\"0x").append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xf, 16))
                    .append('"');
            json.raw(sb.toString());
        }
        json.endArray();
    }
}
