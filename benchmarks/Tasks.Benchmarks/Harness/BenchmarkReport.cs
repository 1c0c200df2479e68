namespace Tasks.Benchmarks.Harness;

/// <summary>One harness run: when, where, how, and each row's result.</summary>
public sealed record BenchmarkReport(DateTimeOffset Date, MachineInfo Machine, BenchmarkOptions Options, IReadOnlyList<RowResult> Rows)
{
    /// <summary>Whether every row ran every metric on every side it has.</summary>
    public bool Succeeded => Rows.Count > 0 && Rows.All(r => r.Complete);
}
