namespace Tasks.Benchmarks.Harness;

/// <summary>Everything measured for one row, and its summary per metric.</summary>
public sealed class RowResult
{
    /// <summary>Creates an empty result.</summary>
    public RowResult(string row, string engine, BenchmarkSizes sizes)
    {
        Row = row;
        Engine = engine;
        Sizes = sizes;
    }

    /// <summary>The row's name.</summary>
    public string Row { get; }

    /// <summary>The row's engine.</summary>
    public string Engine { get; }

    /// <summary>The sizes used.</summary>
    public BenchmarkSizes Sizes { get; }

    /// <summary>The Tasks side's API; <see langword="null"/> while pending.</summary>
    public string? TasksApi { get; set; }

    /// <summary>The native side's API.</summary>
    public string? NativeApi { get; set; }

    /// <summary>Whether the Tasks side exists yet.</summary>
    public bool TasksPending => TasksApi is null;

    /// <summary>Every value measured.</summary>
    public List<Sample> Samples { get; } = [];

    /// <summary>Why the row failed; <see langword="null"/> if it did not.</summary>
    public string? Error { get; set; }

    /// <summary>Things worth knowing that did not fail the row (e.g. duplicate deliveries).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Whether every side that exists produced a value for every metric.</summary>
    public bool Complete => Error is null && Metrics.All.All(m => Median(m, SideKind.Native) is not double.NaN && (TasksPending || Median(m, SideKind.Tasks) is not double.NaN));

    /// <summary>The median of <paramref name="side"/>'s values for <paramref name="metric"/>; NaN if none.</summary>
    public double Median(Metric metric, SideKind side) => Stats.Median(Values(metric, side));

    /// <summary>The median over repetitions of Tasks/native measured in the same repetition; NaN if no pair.</summary>
    public double RatioMedian(Metric metric) => Stats.Median(Ratios(metric));

    /// <summary>Tasks/native for each repetition that has both.</summary>
    public IEnumerable<double> Ratios(Metric metric)
    {
        var native = Samples.Where(s => s.Metric == metric && s.Side == SideKind.Native).ToDictionary(s => s.Run, s => s.Value);
        foreach (var t in Samples.Where(s => s.Metric == metric && s.Side == SideKind.Tasks))
        {
            if (native.TryGetValue(t.Run, out var n) && n > 0)
            {
                yield return t.Value / n;
            }
        }
    }

    /// <summary>The values of one metric and side.</summary>
    public IEnumerable<double> Values(Metric metric, SideKind side) =>
        Samples.Where(s => s.Metric == metric && s.Side == side).Select(s => s.Value);
}
