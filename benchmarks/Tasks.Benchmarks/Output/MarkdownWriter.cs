using System.Globalization;
using System.Text;
using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Output;

/// <summary>Writes <c>results.md</c>: header (date, machine, command), the table, failures and notes, the chart.</summary>
public static class MarkdownWriter
{
    /// <summary>The Markdown text; <paramref name="chartFile"/> is linked relative to the Markdown file.</summary>
    public static string Write(BenchmarkReport report, string? chartFile)
    {
        var o = report.Options;
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"## Benchmark results ({(o.Mode == BenchmarkMode.Quick ? "QUICK MODE: smoke test, not figures" : "full mode")})");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- Date: {report.Date:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {report.Machine}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Command: `{o.Command}`");
        var method = o.Slices > 1
            ? string.Create(CultureInfo.InvariantCulture, $"each run of both sides measured in {o.Slices} alternating slices per measure (Tasks, native, native, Tasks, ...)")
            : "Tasks and native interleaved";
        md.AppendLine(CultureInfo.InvariantCulture, $"- {o.Runs} run(s) per side, {method}; worker concurrency {o.Concurrency} on both sides");
        md.AppendLine();
        md.AppendLine(Table(report));
        md.AppendLine(CultureInfo.InvariantCulture, $"Values are medians of {o.Runs} run(s). A ratio is Tasks/native measured pair by pair (each Tasks run against the native run of the same repetition), then the median of those ratios; it is not the ratio of the two medians. Throughput: higher is better, so a ratio below 1× means Tasks is slower. CPU, latency and memory: lower is better, so a ratio above 1× means Tasks costs more.");
        md.AppendLine("End-to-end: N no-op tasks enqueued in bulk calls while one worker process runs, timed from the first enqueue until the N-th task succeeded. End-to-end CPU: CPU time of the harness, the worker process and the local servers over that run, per task. Latency: enqueue-to-start at a steady rate, one task at a time. Peak worker memory: peak working set of the worker process. In-process rows (InMemory) enqueue inside the worker process, so their memory includes the queued tasks.");
        if (o.Slices > 1)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Sliced runs: a run's enqueue 1-by-1, enqueue bulk and end-to-end N are each split into {o.Slices} slices per side (bulk slices are whole bulk calls), run alternately with both sides' worker processes up; a side's figure is its tasks over its summed slice times. Each end-to-end slice is timed from its own first enqueue to its own last success, so a worker's wait to notice new work (its poll interval, if it polls) counts once per slice on both sides.");
        }

        var pending = report.Rows.Where(r => r.TasksPending && r.Error is null).Select(r => r.Row).ToArray();
        if (pending.Length > 0)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Tasks side pending (adapter not written yet): {string.Join(", ", pending)}.");
        }

        var failed = report.Rows.Where(r => r.Error is not null).ToArray();
        if (failed.Length > 0)
        {
            md.AppendLine();
            md.AppendLine("Failed rows:");
            foreach (var r in failed)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- **{Escape(r.Row)}**: {Escape(r.Error!)}");
            }
        }

        var notes = report.Rows.SelectMany(r => r.Notes.Select(n => $"{r.Row}: {n}")).ToArray();
        if (notes.Length > 0)
        {
            md.AppendLine();
            md.AppendLine("Notes:");
            foreach (var n in notes)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {Escape(n)}");
            }
        }

        if (chartFile is not null)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"![End-to-end throughput, Tasks vs native]({chartFile})");
        }

        return md.ToString();
    }

    /// <summary>Just the table: per row a Tasks line, a native line and a ratio line.</summary>
    public static string Table(BenchmarkReport report)
    {
        var md = new StringBuilder();
        md.AppendLine("| Row | API | N end-to-end | " + string.Join(" | ", Metrics.All.Select(m => m.Heading())) + " |");
        md.AppendLine("|---|---|---:|" + string.Concat(Metrics.All.Select(_ => "---:|")));
        foreach (var r in report.Rows)
        {
            var n = r.Sizes.EndToEndCount.ToString("N0", CultureInfo.InvariantCulture);
            var row = $"**{Escape(r.Row)}**<br>{Escape(r.Engine)}";
            if (r.Error is not null && r.Samples.Count == 0)
            {
                md.Append(CultureInfo.InvariantCulture, $"| {row} | FAILED (see below) | {n} |").AppendLine(string.Concat(Metrics.All.Select(_ => " — |")));
                continue;
            }

            md.Append(CultureInfo.InvariantCulture, $"| {row} | Tasks: {Escape(r.TasksApi ?? "pending (no adapter yet)")} | {n} |").AppendLine(Cells(r, SideKind.Tasks));
            md.Append(CultureInfo.InvariantCulture, $"| | native: {Escape(r.NativeApi ?? "?")} | {n} |").AppendLine(Cells(r, SideKind.Native));
            md.AppendLine("| | **Tasks/native** | |" + string.Concat(Metrics.All.Select(m => $" **{Format.Ratio(r.RatioMedian(m))}** |")));
        }

        return md.ToString();
    }

    private static string Cells(RowResult r, SideKind side) =>
        string.Concat(Metrics.All.Select(m => $" {Format.Value(m, r.Median(m, side))} |"));

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
