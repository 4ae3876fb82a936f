package org.bpfmaps.linux.sys;

/**
 * Layout of {@code union bpf_attr} for {@code BPF_MAP_CREATE}.
 *
 * <p>Exists so no offset is counted at a call site; offsets follow the 6.18 uapi {@code include/uapi/linux/bpf.h}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                       map_type (u32)                        0 |
 *  |                       key_size (u32)                        4 |
 *  |                      value_size (u32)                       8 |
 *  |                     max_entries (u32)                      12 |
 *  |                      map_flags (u32)                       16 |
 *  |                     inner_map_fd (u32)                     20 |
 *  |                      numa_node (u32)                       24 |
 *  |                 map_name (char[16], NUL-terminated)        28 |
 *  |                     map_ifindex (u32)                      44 |
 *  |                       btf_fd (u32)                         48 |
 *  |                   btf_key_type_id (u32)                    52 |
 *  |                  btf_value_type_id (u32)                   56 |
 *  |              btf_vmlinux_value_type_id (u32)               60 |
 *  |                      map_extra (u64)                       64 |
 *  |                value_type_btf_obj_fd (s32)                 72 |
 *  |                     map_token_fd (s32)                     76 |
 *  |                   excl_prog_hash (u64)                     80 |
 *  |                excl_prog_hash_size (u32)                   88 |
 *  +---------------------------------------------------------------+
 * </pre>
 * bpfmaps sends the prefix up to {@code map_extra} ({@link #SIZE}); the kernel treats the rest as zero.
 */
public final class MapCreateAttr {
    /** Offset of {@code map_type}, the {@code enum bpf_map_type} id. */
    public static final int MAP_TYPE_OFFSET = 0;
    /** Offset of {@code key_size}. */
    public static final int KEY_SIZE_OFFSET = 4;
    /** Offset of {@code value_size}. */
    public static final int VALUE_SIZE_OFFSET = 8;
    /** Offset of {@code max_entries}. */
    public static final int MAX_ENTRIES_OFFSET = 12;
    /** Offset of {@code map_flags}. */
    public static final int MAP_FLAGS_OFFSET = 16;
    /** Offset of {@code inner_map_fd}, the template of a map-in-map. */
    public static final int INNER_MAP_FD_OFFSET = 20;
    /** Offset of {@code numa_node}, used only with {@code BPF_F_NUMA_NODE}. */
    public static final int NUMA_NODE_OFFSET = 24;
    /** Offset of {@code map_name}. */
    public static final int MAP_NAME_OFFSET = 28;
    /** Length of {@code map_name} ({@code BPF_OBJ_NAME_LEN}), including its NUL. */
    public static final int MAP_NAME_LENGTH = 16;
    /** Offset of {@code map_ifindex}, the offload device. */
    public static final int MAP_IFINDEX_OFFSET = 44;
    /** Offset of {@code btf_fd}. */
    public static final int BTF_FD_OFFSET = 48;
    /** Offset of {@code btf_key_type_id}. */
    public static final int BTF_KEY_TYPE_ID_OFFSET = 52;
    /** Offset of {@code btf_value_type_id}. */
    public static final int BTF_VALUE_TYPE_ID_OFFSET = 56;
    /** Offset of {@code btf_vmlinux_value_type_id}. */
    public static final int BTF_VMLINUX_VALUE_TYPE_ID_OFFSET = 60;
    /** Offset of {@code map_extra} (bloom filter hash count, arena address). */
    public static final int MAP_EXTRA_OFFSET = 64;
    /** Offset of {@code value_type_btf_obj_fd} (6.9+). */
    public static final int VALUE_TYPE_BTF_OBJ_FD_OFFSET = 72;
    /** Offset of {@code map_token_fd} (6.9+). */
    public static final int MAP_TOKEN_FD_OFFSET = 76;
    /** Offset of {@code excl_prog_hash} (6.18). */
    public static final int EXCL_PROG_HASH_OFFSET = 80;
    /** Offset of {@code excl_prog_hash_size} (6.18). */
    public static final int EXCL_PROG_HASH_SIZE_OFFSET = 88;
    /** Bytes bpfmaps passes as {@code size}: up to the end of {@code map_extra}. */
    public static final int SIZE = MAP_EXTRA_OFFSET + 8;

    private MapCreateAttr() {
    }
}
