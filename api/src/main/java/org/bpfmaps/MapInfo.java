package org.bpfmaps;

/**
 * What the kernel reports about a map: {@code struct bpf_map_info} from {@code BPF_OBJ_GET_INFO_BY_FD},
 * plus {@code memlock} and {@code frozen} from the map's fdinfo.
 *
 * @param type           the map type
 * @param id             the global map id
 * @param keySize        key size in bytes
 * @param valueSize      value size in bytes (per CPU for per-CPU types)
 * @param maxEntries     maximum entries after the kernel's adjustment (e.g. NO_COMMON_LRU rounding)
 * @param flags          the {@code map_flags} bits
 * @param name           the map name
 * @param ifindex        the offload device, 0 when none
 * @param btfId          the BTF object id, 0 when none
 * @param btfKeyTypeId   BTF type id of the key, 0 when none
 * @param btfValueTypeId BTF type id of the value, 0 when none
 * @param mapExtra       {@code map_extra}
 * @param memlock        bytes charged to the memory cgroup, as fdinfo reports (the simulator's estimate)
 * @param frozen         whether {@code BPF_MAP_FREEZE} was applied
 */
public record MapInfo(MapType type, int id, int keySize, int valueSize, int maxEntries, int flags, String name,
                      int ifindex, int btfId, int btfKeyTypeId, int btfValueTypeId, long mapExtra, long memlock,
                      boolean frozen) {
}
