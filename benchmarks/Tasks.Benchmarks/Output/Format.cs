using System.Globalization;
using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Output;

/// <summary>Number formats shared by the table, the CSV and the chart.</summary>
public static class Format
{
    /// <summary>A value of <paramref name="metric"/> for people: thousands separators for rates, 2-3 significant digits otherwise.</summary>
    public static string Value(Metric metric, double value) => double.IsNaN(value) ? "—" : metric.Unit() switch
    {
        "tasks/s" => value.ToString("N0", CultureInfo.InvariantCulture),
        _ => value.ToString(value < 10 ? "0.00" : value < 100 ? "0.0" : "N0", CultureInfo.InvariantCulture),
    };

    /// <summary>A ratio, e.g. "0.42×".</summary>
    public static string Ratio(double ratio) => double.IsNaN(ratio) ? "—" : ratio.ToString(ratio < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + "×";

    /// <summary>A value for the CSV: invariant, round-trippable, empty for none.</summary>
    public static string Csv(double value) => double.IsNaN(value) ? string.Empty : value.ToString("R", CultureInfo.InvariantCulture);
}
