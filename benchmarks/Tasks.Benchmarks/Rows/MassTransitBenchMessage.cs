namespace Tasks.Benchmarks.Rows;

/// <summary>The native side's message in <see cref="MassTransitRow"/>: the <see cref="System.Diagnostics.Stopwatch"/> timestamp of its send (0 when not measured).</summary>
/// <param name="Sent">When it was sent.</param>
public sealed record MassTransitBenchMessage(long Sent);
