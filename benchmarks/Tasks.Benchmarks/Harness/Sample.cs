namespace Tasks.Benchmarks.Harness;

/// <summary>One measured value: row, side, repetition (0-based), metric.</summary>
public sealed record Sample(string Row, SideKind Side, int Run, Metric Metric, double Value);
