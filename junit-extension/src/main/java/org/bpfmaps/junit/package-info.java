/**
 * A JUnit 5 extension for testing code that uses BPF maps: a fresh simulated kernel per test, maps injected.
 *
 * <p>Annotate a test method with {@link org.bpfmaps.junit.BpfMapsTest} instead of {@code @Test}, declare maps
 * with {@link org.bpfmaps.junit.BpfMapDef} on parameters or fields, and add {@link org.bpfmaps.junit.Backend#LINUX}
 * to run the same test on the real kernel where it is available.
 */
package org.bpfmaps.junit;
