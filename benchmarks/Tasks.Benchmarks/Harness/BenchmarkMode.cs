namespace Tasks.Benchmarks.Harness;

/// <summary>How big each measurement is.</summary>
public enum BenchmarkMode
{
    /// <summary>The figures for the README: large N, several runs; run by hand.</summary>
    Full,

    /// <summary>A few seconds per row, so CI keeps the harness working; its numbers mean nothing.</summary>
    Quick,
}
