package org.bpfmaps.typed;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapType;
import org.bpfmaps.codec.Codec;
import org.bpfmaps.codec.CodecException;

/** Checks shared by the views; exists so every view words its size and type errors the same way. */
final class Views {
    private Views() {
    }

    static String describe(BpfMap map) {
        String name = map.name();
        return "map " + Integer.toUnsignedString(map.id()) + (name.isEmpty() ? "" : " '" + name + "'") + " ("
                + map.type().bpftoolName() + ")";
    }

    static void checkSize(Codec<?> codec, int actual, BpfMap map, String field) {
        if (codec.size() != actual) {
            throw new CodecException(codec.describe() + " is " + codec.size() + " bytes but " + describe(map)
                    + " has " + field + " " + Integer.toUnsignedString(actual));
        }
    }

    static void checkType(BpfMap map, String view, MapType... allowed) {
        for (MapType t : allowed) {
            if (map.type() == t) {
                return;
            }
        }
        throw new CodecException(view + " does not fit " + describe(map) + "; it takes " + java.util.Arrays
                .toString(allowed));
    }

    static ByteBuffer buffer(int size) {
        return ByteBuffer.allocateDirect(size);
    }
}
