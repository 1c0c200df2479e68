namespace Tasks.Benchmarks.Harness;

/// <summary>What is measured for each side of each row.</summary>
public enum Metric
{
    /// <summary>Tasks per second enqueued one at a time, each call awaited, no worker running.</summary>
    EnqueueSingle,

    /// <summary>Tasks per second enqueued in bulk calls, no worker running.</summary>
    EnqueueBulk,

    /// <summary>Tasks per second from the first enqueue until the N-th task succeeded, one worker process running.</summary>
    EndToEnd,

    /// <summary>
    /// CPU time per task during the end-to-end run, microseconds: the harness (producer), the worker process and the local
    /// servers together (<see cref="CpuMeter"/>).
    /// </summary>
    EndToEndCpu,

    /// <summary>Median enqueue-to-start latency at a steady moderate rate, milliseconds.</summary>
    LatencyP50,

    /// <summary>99th percentile enqueue-to-start latency, milliseconds.</summary>
    LatencyP99,

    /// <summary>Peak working set of the worker process, MiB.</summary>
    PeakWorkerMemory,
}

/// <summary>Names and units of <see cref="Metric"/>.</summary>
public static class Metrics
{
    /// <summary>All metrics in table order.</summary>
    public static readonly IReadOnlyList<Metric> All = Enum.GetValues<Metric>();

    /// <summary>The CSV name.</summary>
    public static string Key(this Metric m) => m switch
    {
        Metric.EnqueueSingle => "enqueue_single",
        Metric.EnqueueBulk => "enqueue_bulk",
        Metric.EndToEnd => "end_to_end",
        Metric.EndToEndCpu => "end_to_end_cpu",
        Metric.LatencyP50 => "latency_p50",
        Metric.LatencyP99 => "latency_p99",
        Metric.PeakWorkerMemory => "peak_worker_memory",
        _ => throw new ArgumentOutOfRangeException(nameof(m)),
    };

    /// <summary>The unit.</summary>
    public static string Unit(this Metric m) => m switch
    {
        Metric.EnqueueSingle or Metric.EnqueueBulk or Metric.EndToEnd => "tasks/s",
        Metric.EndToEndCpu => "us/task",
        Metric.LatencyP50 or Metric.LatencyP99 => "ms",
        _ => "MiB",
    };

    /// <summary>The table heading.</summary>
    public static string Heading(this Metric m) => m switch
    {
        Metric.EnqueueSingle => "Enqueue 1-by-1 (tasks/s)",
        Metric.EnqueueBulk => "Enqueue bulk (tasks/s)",
        Metric.EndToEnd => "End-to-end (tasks/s)",
        Metric.EndToEndCpu => "End-to-end CPU (µs/task)",
        Metric.LatencyP50 => "Latency p50 (ms)",
        Metric.LatencyP99 => "Latency p99 (ms)",
        Metric.PeakWorkerMemory => "Peak worker memory (MiB)",
        _ => throw new ArgumentOutOfRangeException(nameof(m)),
    };

    /// <summary>Whether a larger value is better (throughput) or worse (CPU, latency, memory).</summary>
    public static bool HigherIsBetter(this Metric m) => m is Metric.EnqueueSingle or Metric.EnqueueBulk or Metric.EndToEnd;
}
