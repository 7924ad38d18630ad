package dev.oidcsession.benchmarks.load;

import java.util.Map;

/**
 * One measured wrk run of one variant.
 *
 * @param round the round, from 1
 * @param sessions how many sessions the requests rotate over
 * @param variant the variant
 * @param requests requests wrk completed
 * @param requestsPerSecond wrk's requests per second
 * @param p50Micros median latency, microseconds
 * @param p99Micros 99th percentile latency, microseconds
 * @param cpuMicrosPerRequest the app JVM's CPU time over the run per answer served
 * @param redisCommandsPerRequest Redis commands over the run per answer served; NaN without Redis
 * @param redisBytesPerRequest bytes Redis sent back over the run per answer served; NaN without Redis
 * @param redisCalls Redis commands over the run by name; empty without Redis
 * @param served JSON answers the app counted over the run (a check: close to {@code requests})
 * @param failures non-2xx/3xx answers plus socket errors wrk reported
 * @param cpu the shares of the machine's CPU that went, during the run, to processes that are not
 *     the benchmark's, to the variants waiting for their turn, and to other virtual machines
 */
record Measurement(int round, int sessions, Variant variant, long requests,
    double requestsPerSecond, double p50Micros, double p99Micros, double cpuMicrosPerRequest,
    double redisCommandsPerRequest, double redisBytesPerRequest, Map<String, Long> redisCalls, long served, long failures,
    ProcCpu.Shares cpu) {

  /** Whether every request wrk counted reached the endpoint as an authenticated request. */
  boolean valid() {
    return failures == 0 && requests > 0 && served >= requests * 99 / 100;
  }
}
