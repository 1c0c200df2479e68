using System.Text;
using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Output;

/// <summary>Writes <c>results.csv</c> (one line per row and metric: medians and the median ratio) and <c>samples.csv</c> (every measured value).</summary>
public static class CsvWriter
{
    /// <summary>The summary.</summary>
    public static string Summary(BenchmarkReport report)
    {
        var csv = new StringBuilder();
        csv.AppendLine("date,row,engine,metric,unit,tasks_api,native_api,end_to_end_n,runs,tasks_median,native_median,ratio_median,ratio_min,ratio_max,status");
        foreach (var r in report.Rows)
        {
            var status = r.Error is not null ? "failed" : r.TasksPending ? "tasks-pending" : "ok";
            foreach (var m in Metrics.All)
            {
                var ratios = r.Ratios(m).ToArray();
                csv.AppendJoin(',', [
                    report.Date.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                    Field(r.Row), Field(r.Engine), m.Key(), m.Unit(), Field(r.TasksApi ?? string.Empty), Field(r.NativeApi ?? string.Empty),
                    r.Sizes.EndToEndCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    report.Options.Runs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Format.Csv(r.Median(m, SideKind.Tasks)), Format.Csv(r.Median(m, SideKind.Native)), Format.Csv(r.RatioMedian(m)),
                    Format.Csv(ratios.Length > 0 ? ratios.Min() : double.NaN), Format.Csv(ratios.Length > 0 ? ratios.Max() : double.NaN),
                    status,
                ]);
                csv.AppendLine();
            }
        }

        return csv.ToString();
    }

    /// <summary>Every sample.</summary>
    public static string Samples(BenchmarkReport report)
    {
        var csv = new StringBuilder();
        csv.AppendLine("row,side,run,metric,unit,value");
        foreach (var s in report.Rows.SelectMany(r => r.Samples))
        {
            csv.AppendJoin(',', [Field(s.Row), s.Side.ToString().ToLowerInvariant(), (s.Run + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), s.Metric.Key(), s.Metric.Unit(), Format.Csv(s.Value)]);
            csv.AppendLine();
        }

        return csv.ToString();
    }

    private static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
