package org.bpfmaps.simulator;

import java.nio.ByteBuffer;

/**
 * The kernel's generic batch commands ({@code generic_map_lookup_batch}, {@code generic_map_update_batch},
 * {@code generic_map_delete_batch}), built from a map's single-element operations.
 *
 * <p>Exists because arrays use all of them and hash tables use the update and delete halves, with the same
 * stop-at-first-error and count rules.
 */
final class GenericBatch {

    private GenericBatch() {
    }

    /** Updates {@code keys[i]} with {@code values[i]} in order; stops at the first error, count = done. */
    static MapObject.Batch update(MapObject map, byte[] keys, byte[] values, int count, long elemFlags) {
        if (elemFlags != 0) {
            // Only F_LOCK is a valid bit here, and no simulated value holds a spin lock. The kernel refuses before
            // writing count, so count reads back as passed in.
            return new MapObject.Batch(MapObject.EINVAL, count);
        }
        for (int i = 0; i < count; i++) {
            ByteBuffer k = ByteBuffer.wrap(keys, i * map.keySize, map.keySize);
            ByteBuffer v = ByteBuffer.wrap(values, i * map.valueBufferSize, map.valueBufferSize);
            int err = map.update(k, v, 0);
            if (err != 0) {
                return new MapObject.Batch(err, i);
            }
        }
        return new MapObject.Batch(0, count);
    }

    /** Deletes {@code keys[i]} in order; stops at the first error (a missing key is ENOENT), count = done. */
    static MapObject.Batch delete(MapObject map, byte[] keys, int count, long elemFlags) {
        if (elemFlags != 0) {
            return new MapObject.Batch(MapObject.EINVAL, count);
        }
        for (int i = 0; i < count; i++) {
            int err = map.delete(ByteBuffer.wrap(keys, i * map.keySize, map.keySize));
            if (err != 0) {
                return new MapObject.Batch(err, i);
            }
        }
        return new MapObject.Batch(0, count);
    }

    /**
     * Walks with get-next-key from the key cursor {@code inBatch} (null: from the start), copying up to
     * {@code count} elements; {@code outBatch} receives the last key copied (untouched when none was).
     */
    static MapObject.Batch lookup(MapObject map, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values,
                                  int count, long elemFlags) {
        if (elemFlags != 0) {
            return new MapObject.Batch(MapObject.EINVAL, count);
        }
        if (count == 0) {
            return new MapObject.Batch(0, 0);
        }
        int ks = map.keySize;
        ByteBuffer prev = inBatch == null ? null : ByteBuffer.wrap(inBatch.clone());
        int cp = 0;
        int err = 0;
        while (cp < count) {
            ByteBuffer key = ByteBuffer.wrap(keys, cp * ks, ks);
            err = map.nextKey(prev, key);
            if (err != 0) {
                break;
            }
            err = map.lookup(key, ByteBuffer.wrap(values, cp * map.valueBufferSize, map.valueBufferSize));
            if (err == MapObject.ENOENT) {
                continue; // deleted under us: the kernel retries from the same cursor
            }
            if (err != 0) {
                break;
            }
            prev = key;
            cp++;
        }
        if (cp > 0) {
            System.arraycopy(keys, (cp - 1) * ks, outBatch, 0, ks);
        }
        return new MapObject.Batch(err, cp);
    }
}
