namespace Tasks.Benchmarks.Harness;

/// <summary>The no-op task's arguments: the <see cref="System.Diagnostics.Stopwatch"/> timestamp of its enqueue (0 when not measured).</summary>
public sealed record NoopArgs(long Sent);
