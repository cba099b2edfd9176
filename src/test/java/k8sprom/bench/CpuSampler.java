package k8sprom.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Samples the CPU time used by a few processes every 100 ms, so that the CPU each one spent inside a time interval
 * (a publisher cycle, known only after it ended) can be read afterwards.
 */
final class CpuSampler implements AutoCloseable {

    private final long[] pids;
    private final List<long[]> times = new ArrayList<>();
    private final List<double[]> cpu = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    CpuSampler(long... pids) {
        this.pids = pids.clone();
        thread = new Thread(this::loop, "cpu-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            sample();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        double[] row = new double[pids.length];
        for (int i = 0; i < pids.length; i++) {
            row[i] = ProcStat.cpuSeconds(pids[i]);
        }
        synchronized (this) {
            times.add(new long[] {System.nanoTime()});
            cpu.add(row);
        }
    }

    /** CPU seconds process i (in constructor order) used between the two System.nanoTime() instants. */
    synchronized double between(int i, long fromNanos, long toNanos) {
        if (times.isEmpty() || times.get(times.size() - 1)[0] < toNanos) {
            sample();
        }
        return at(i, toNanos) - at(i, fromNanos);
    }

    private double at(int i, long nanos) {
        if (times.isEmpty()) {
            return Double.NaN;
        }
        for (int k = 1; k < times.size(); k++) {
            long t0 = times.get(k - 1)[0];
            long t1 = times.get(k)[0];
            if (nanos <= t1) {
                double c0 = cpu.get(k - 1)[i];
                double c1 = cpu.get(k)[i];
                if (nanos <= t0) {
                    return c0;
                }
                return c0 + (c1 - c0) * (nanos - t0) / (double) (t1 - t0);
            }
        }
        return cpu.get(cpu.size() - 1)[i];
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
