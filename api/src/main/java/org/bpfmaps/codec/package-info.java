/**
 * Codecs: Java values to and from the bytes of map keys and values, with C struct layout for records.
 *
 * <p>Start with {@link org.bpfmaps.codec.Codecs}. A record such as
 * <pre>
 * record FlowKey(int srcIp, int dstIp, short srcPort, short dstPort, byte proto) {}
 * </pre>
 * becomes the 16-byte {@code struct flow_key} a C compiler produces (13 bytes of fields, 3 of tail padding),
 * with padding always written as zeros.
 */
package org.bpfmaps.codec;
