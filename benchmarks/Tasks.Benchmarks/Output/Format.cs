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
        _ => Significant(value),
    };

    /// <summary>A ratio, e.g. "0.42×" or "0.0031×" (two significant digits below 1, so small ratios do not read 0.00×).</summary>
    public static string Ratio(double ratio) => double.IsNaN(ratio) ? "—" : Significant(ratio) + "×";

    /// <summary>Two decimals from 1 up, one from 10, none from 100; two significant digits below 1.</summary>
    public static string Significant(double value)
    {
        if (value is >= 1 or <= 0)
        {
            return value.ToString(value >= 100 ? "N0" : value >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture);
        }

        var decimals = Math.Clamp(1 - (int)Math.Floor(Math.Log10(value)), 2, 12);
        return Math.Round(value, decimals).ToString("0." + new string('0', decimals), CultureInfo.InvariantCulture);
    }

    /// <summary>A value for the CSV: invariant, round-trippable, empty for none.</summary>
    public static string Csv(double value) => double.IsNaN(value) ? string.Empty : value.ToString("R", CultureInfo.InvariantCulture);
}
