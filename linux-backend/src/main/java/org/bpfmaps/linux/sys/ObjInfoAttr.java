package org.bpfmaps.linux.sys;

/**
 * Layouts for {@code BPF_OBJ_GET_INFO_BY_FD}: the {@code attr.info} request and the {@code struct bpf_map_info} reply.
 *
 * <p>Exists so map info is decoded by name. The request:
 * <pre>
 *  +---------------------------------------------------------------+
 *  |        bpf_fd (u32)                                         0 |
 *  |        info_len (u32; in: buffer size, out: bytes written)  4 |
 *  |        info (u64 pointer to struct bpf_map_info)            8 |
 *  +---------------------------------------------------------------+
 * </pre>
 * The reply, {@code struct bpf_map_info}, {@value #MAP_INFO_SIZE} bytes in 6.18 (88 in 6.1 headers):
 * <pre>
 *  +---------------------------------------------------------------+
 *  |  type 0 | id 4 | key_size 8 | value_size 12 | max_entries 16   |
 *  |  map_flags 20 | name (char[16]) 24                            |
 *  |  ifindex 40 | btf_vmlinux_value_type_id 44                    |
 *  |  netns_dev (u64) 48 | netns_ino (u64) 56                      |
 *  |  btf_id 64 | btf_key_type_id 68 | btf_value_type_id 72        |
 *  |  btf_vmlinux_id 76 | map_extra (u64) 80                       |
 *  |  hash (u64 pointer) 88 | hash_size (u32) 96 | (pad) 100       |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class ObjInfoAttr {
    /** Offset of {@code bpf_fd} in the request. */
    public static final int BPF_FD_OFFSET = 0;
    /** Offset of {@code info_len} in the request. */
    public static final int INFO_LEN_OFFSET = 4;
    /** Offset of {@code info} in the request. */
    public static final int INFO_OFFSET = 8;
    /** Bytes of the request. */
    public static final int SIZE = 16;

    /** Offset of {@code type} in {@code bpf_map_info}. */
    public static final int MAP_INFO_TYPE_OFFSET = 0;
    /** Offset of {@code id}. */
    public static final int MAP_INFO_ID_OFFSET = 4;
    /** Offset of {@code key_size}. */
    public static final int MAP_INFO_KEY_SIZE_OFFSET = 8;
    /** Offset of {@code value_size}. */
    public static final int MAP_INFO_VALUE_SIZE_OFFSET = 12;
    /** Offset of {@code max_entries}. */
    public static final int MAP_INFO_MAX_ENTRIES_OFFSET = 16;
    /** Offset of {@code map_flags}. */
    public static final int MAP_INFO_MAP_FLAGS_OFFSET = 20;
    /** Offset of {@code name}. */
    public static final int MAP_INFO_NAME_OFFSET = 24;
    /** Length of {@code name}, including its NUL. */
    public static final int MAP_INFO_NAME_LENGTH = 16;
    /** Offset of {@code ifindex}. */
    public static final int MAP_INFO_IFINDEX_OFFSET = 40;
    /** Offset of {@code btf_vmlinux_value_type_id}. */
    public static final int MAP_INFO_BTF_VMLINUX_VALUE_TYPE_ID_OFFSET = 44;
    /** Offset of {@code netns_dev}. */
    public static final int MAP_INFO_NETNS_DEV_OFFSET = 48;
    /** Offset of {@code netns_ino}. */
    public static final int MAP_INFO_NETNS_INO_OFFSET = 56;
    /** Offset of {@code btf_id}. */
    public static final int MAP_INFO_BTF_ID_OFFSET = 64;
    /** Offset of {@code btf_key_type_id}. */
    public static final int MAP_INFO_BTF_KEY_TYPE_ID_OFFSET = 68;
    /** Offset of {@code btf_value_type_id}. */
    public static final int MAP_INFO_BTF_VALUE_TYPE_ID_OFFSET = 72;
    /** Offset of {@code btf_vmlinux_id} (a padding slot in older headers). */
    public static final int MAP_INFO_BTF_VMLINUX_ID_OFFSET = 76;
    /** Offset of {@code map_extra}. */
    public static final int MAP_INFO_MAP_EXTRA_OFFSET = 80;
    /** Offset of {@code hash}, a pointer the kernel fills only when {@code hash_size} asks for it. */
    public static final int MAP_INFO_HASH_OFFSET = 88;
    /** Offset of {@code hash_size}. */
    public static final int MAP_INFO_HASH_SIZE_OFFSET = 96;
    /** Bytes of {@code struct bpf_map_info} in 6.18 (aligned to 8). */
    public static final int MAP_INFO_SIZE = 104;

    private ObjInfoAttr() {
    }
}
