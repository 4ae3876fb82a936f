package org.bpfmaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MapSpecDifferencesTest {

    private static MapInfo info(MapType type, int key, int value, int max, int flags, long extra) {
        return new MapInfo(type, 7, key, value, max, flags, "m", 0, 0, 0, 0, extra, 0, false);
    }

    @Test
    void identicalMapHasNoDifferences() {
        MapSpec spec = MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(16).flags(MapFlag.ZERO_SEED)
                .build();
        assertTrue(spec.differences(info(MapType.HASH, 4, 8, 16, 64, 0), 2).isEmpty());
    }

    @Test
    void everyDifferingFieldIsNamed() {
        MapSpec spec = MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(16).build();
        List<String> d = spec.differences(info(MapType.ARRAY, 8, 4, 32, 1, 5), 2);
        assertEquals(List.of("type: expected hash, map has array", "key_size: expected 4, map has 8",
                "value_size: expected 8, map has 4", "max_entries: expected 16, map has 32",
                "map_flags: expected 0x0, map has 0x1", "map_extra: expected 0x0, map has 0x5"), d);
    }

    @Test
    void kernelAdjustmentsAreTolerated() {
        MapSpec ro = MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(3).flags(MapFlag.RDONLY).build();
        assertTrue(ro.differences(info(MapType.ARRAY, 4, 4, 3, 0, 0), 2).isEmpty());
        MapSpec lru = MapSpec.builder(MapType.LRU_HASH).keySize(4).valueSize(4).maxEntries(5)
                .flags(MapFlag.NO_COMMON_LRU).build();
        assertTrue(lru.differences(info(MapType.LRU_HASH, 4, 4, 6, 2, 0), 2).isEmpty());
        assertEquals(List.of("max_entries: expected 6, map has 5"),
                lru.differences(info(MapType.LRU_HASH, 4, 4, 5, 2, 0), 2));
    }
}
