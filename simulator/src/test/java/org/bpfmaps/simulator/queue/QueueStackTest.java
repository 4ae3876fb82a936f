package org.bpfmaps.simulator.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QueueStackTest {

    private static final int ENOENT = 2;
    private static final int E2BIG = 7;
    private static final int EINVAL = 22;

    private static byte[] v(int x) {
        return new byte[] {(byte) x, (byte) (x >>> 8), (byte) (x >>> 16), (byte) (x >>> 24)};
    }

    @Test
    void semanticsExampleQueue() {
        QueueStack q = new QueueStack(false, 4, 3);
        assertEquals(4, q.slots());
        for (int i = 1; i <= 3; i++) {
            assertEquals(0, q.push(v(i), 0));
        }
        assertEquals(E2BIG, q.push(v(4), 0));
        assertEquals(0, q.push(v(4), QueueStack.EXIST));
        assertArrayEquals(v(2), q.peek());
        assertArrayEquals(v(2), q.pop());
        assertArrayEquals(v(3), q.pop());
        assertArrayEquals(v(4), q.pop());
        assertNull(q.pop());
        assertNull(q.peek());
    }

    @Test
    void semanticsExampleStack() {
        QueueStack s = new QueueStack(true, 4, 3);
        for (int i = 1; i <= 3; i++) {
            assertEquals(0, s.push(v(i), 0));
        }
        assertEquals(E2BIG, s.push(v(4), 0));
        assertEquals(0, s.push(v(4), QueueStack.EXIST));
        assertArrayEquals(v(4), s.peek());
        assertArrayEquals(v(4), s.pop());
        assertArrayEquals(v(3), s.pop());
        assertArrayEquals(v(2), s.pop());
        assertNull(s.pop());
    }

    @Test
    void flagsAndEmpty() {
        for (boolean lifo : new boolean[] {false, true}) {
            QueueStack q = new QueueStack(lifo, 4, 2);
            assertEquals(EINVAL, q.push(v(1), QueueStack.NOEXIST));
            assertEquals(EINVAL, q.push(v(1), 3));
            assertEquals(EINVAL, q.push(v(1), 4));
            assertEquals(EINVAL, q.push(v(1), -1L));
            assertEquals(0, q.count());
            byte[] out = {9, 9, 9, 9, 9, 9};
            assertEquals(ENOENT, q.pop(out, 1));
            assertArrayEquals(new byte[] {9, 0, 0, 0, 0, 9}, out, "empty pop zero-fills the value");
            out[2] = 5;
            assertEquals(ENOENT, q.peek(out, 1));
            assertArrayEquals(new byte[] {9, 0, 0, 0, 0, 9}, out);
            assertEquals(0, q.push(new byte[] {0, 1, 2, 3, 4, 5}, 1, 0));
            assertEquals(0, q.peek(out, 2));
            assertArrayEquals(new byte[] {9, 0, 1, 2, 3, 4}, out);
            assertEquals(1, q.count());
        }
    }

    @Test
    void oneElementRing() {
        QueueStack s = new QueueStack(true, 1, 1);
        assertEquals(0, s.push(new byte[] {1}, 0));
        assertEquals(E2BIG, s.push(new byte[] {2}, 0));
        assertEquals(0, s.push(new byte[] {3}, QueueStack.EXIST));
        assertArrayEquals(new byte[] {3}, s.pop());
        assertNull(s.pop());
    }

    @Test
    void randomAgainstDeque() {
        for (boolean lifo : new boolean[] {false, true}) {
            for (boolean sparse : new boolean[] {false, true}) {
                Random rnd = new Random(lifo ? 11 : 7);
                int max = 1 + rnd.nextInt(9);
                int valueSize = 4 + rnd.nextInt(3);
                QueueStack q = new QueueStack(lifo, valueSize, max, sparse ? 0 : QueueStack.FLAT_LIMIT);
                Deque<Integer> model = new ArrayDeque<>();
                byte[] buf = new byte[valueSize];
                for (int step = 0; step < 5000; step++) {
                    int op = rnd.nextInt(4);
                    String where = "lifo=" + lifo + " sparse=" + sparse + " step=" + step;
                    if (op < 2) {
                        int x = rnd.nextInt();
                        long flags = rnd.nextBoolean() ? QueueStack.EXIST : 0;
                        byte[] value = new byte[valueSize];
                        System.arraycopy(v(x), 0, value, valueSize - 4, 4);
                        int expected = model.size() == max && flags == 0 ? E2BIG : 0;
                        assertEquals(expected, q.push(value, flags), where);
                        if (expected == 0) {
                            if (model.size() == max) {
                                model.removeFirst();
                            }
                            model.addLast(x);
                        }
                    } else {
                        boolean pop = op == 2;
                        Integer expected = model.isEmpty() ? null : lifo ? model.peekLast() : model.peekFirst();
                        int err = pop ? q.pop(buf, 0) : q.peek(buf, 0);
                        if (expected == null) {
                            assertEquals(ENOENT, err, where);
                        } else {
                            assertEquals(0, err, where);
                            byte[] tail = new byte[4];
                            System.arraycopy(buf, valueSize - 4, tail, 0, 4);
                            assertArrayEquals(v(expected), tail, where);
                            if (pop) {
                                if (lifo) {
                                    model.removeLast();
                                } else {
                                    model.removeFirst();
                                }
                            }
                        }
                    }
                    assertEquals(model.size(), q.count(), where);
                }
            }
        }
    }

    @Test
    void hugeMaxEntriesCostsNothingUpFront() {
        QueueStack q = new QueueStack(false, 1 << 20, -1);
        assertEquals(1L << 32, q.slots());
        assertEquals(0, q.push(new byte[1 << 20], 0));
        assertEquals(1, q.count());
    }
}
