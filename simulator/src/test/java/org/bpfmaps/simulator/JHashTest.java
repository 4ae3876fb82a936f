package org.bpfmaps.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.junit.jupiter.api.Test;

class JHashTest {

    private static int jhash(byte[] b, int seed) {
        return JHash.jhash(ByteBuffer.wrap(b), 0, b.length, seed);
    }

    @Test
    void emptyInputIsTheInitialValue() {
        assertEquals(0xdeadbeef, jhash(new byte[0], 0));
        assertEquals(0xdeadbeef + 7, jhash(new byte[0], 7));
        assertEquals(0xdeadbeef, JHash.jhash2(ByteBuffer.allocate(0), 0, 0, 0));
    }

    @Test
    void lookup3ReferenceVectors() {
        // Bob Jenkins' lookup3.c self-test: hashlittle("Four score and seven years ago", 30, seed).
        byte[] s = "Four score and seven years ago".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x17770551, jhash(s, 0));
        assertEquals(0xcd628161, jhash(s, 1));
    }

    @Test
    void jhash2EqualsJhashOnLittleEndianWords() {
        Random r = new Random(42);
        for (int words = 0; words < 12; words++) {
            byte[] b = new byte[words * 4];
            r.nextBytes(b);
            int seed = r.nextInt();
            assertEquals(jhash(b, seed), JHash.jhash2(ByteBuffer.wrap(b), 0, b.length, seed), "words=" + words);
        }
    }

    @Test
    void hashIgnoresBufferPositionAndByteOrderOfTheWrapper() {
        byte[] b = {9, 9, 1, 2, 3, 4, 5, 6};
        ByteBuffer big = ByteBuffer.wrap(b);
        ByteBuffer little = ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(JHash.keyHash(big, 2, 6, 0), JHash.keyHash(little, 2, 6, 0));
        assertEquals(jhash(new byte[] {1, 2, 3, 4, 5, 6}, 0), JHash.keyHash(big, 2, 6, 0));
    }

    @Test
    void zeroSeedHashIterationMatchesTheKernel() {
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(2).build();
             BpfMap m = k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(16)
                     .flags(MapFlag.ZERO_SEED).build())) {
            for (int key : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 1000}) {
                m.update(Bytes.u32(key), Bytes.u64(key));
            }
            assertEquals(List.of(4, 1000, 5, 0, 7, 2, 1, 100, 8, 9, 6, 3), Bytes.keys(m));
            m.update(Bytes.u32(2), Bytes.u64(22));
            m.update(Bytes.u32(8), Bytes.u64(88));
            assertEquals(List.of(4, 1000, 5, 0, 2, 7, 1, 8, 100, 9, 6, 3), Bytes.keys(m));
        }
    }

    @Test
    void percpuHashUpdatesInPlace() {
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(2).build();
             BpfMap m = k.create(MapSpec.builder(MapType.PERCPU_HASH).keySize(4).valueSize(8).maxEntries(16)
                     .flags(MapFlag.ZERO_SEED).build())) {
            byte[] v = new byte[16];
            for (int key : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 1000}) {
                m.update(Bytes.u32(key), v);
            }
            m.update(Bytes.u32(2), v);
            m.update(Bytes.u32(8), v);
            assertEquals(List.of(4, 1000, 5, 0, 7, 2, 1, 100, 8, 9, 6, 3), Bytes.keys(m));
        }
    }

    @Test
    void sixByteKeysUseByteJhash() {
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(1).build();
             BpfMap m = k.create(MapSpec.builder(MapType.HASH).keySize(6).valueSize(1).maxEntries(8)
                     .flags(MapFlag.ZERO_SEED).build())) {
            HashTable t = (HashTable) ((SimBpfMap) m).object;
            byte[] key = {1, 2, 3, 4, 5, 6};
            assertEquals(jhash(key, 0), t.hash(ByteBuffer.wrap(key)));
        }
    }

    @org.junit.jupiter.api.Test
    void publishedLookup3Vectors() {
        // lookup3.c's self-test values for hashlittle, which jhash equals on little-endian machines.
        byte[] text = "Four score and seven years ago".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        org.junit.jupiter.api.Assertions.assertEquals(0x17770551, JHash.jhash(ByteBuffer.wrap(text), 0, 30, 0));
        org.junit.jupiter.api.Assertions.assertEquals(0xcd628161, JHash.jhash(ByteBuffer.wrap(text), 0, 30, 1));
    }
}
