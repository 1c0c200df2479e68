using System.Globalization;
using ScottPlot;
using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Output;

/// <summary>
/// Writes the bar chart of end-to-end tasks/s per backend, Tasks next to native. The axis is logarithmic: engines
/// differ by orders of magnitude, and on a log axis the gap between two bars is their ratio.
/// </summary>
public static class ChartWriter
{
    private static readonly Color TasksColor = Color.FromHex("#1f77b4");
    private static readonly Color NativeColor = Color.FromHex("#ff7f0e");

    /// <summary>Renders the chart to <paramref name="path"/> (PNG).</summary>
    public static void WritePng(BenchmarkReport report, string path)
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans"); // installed with fontconfig on Debian; ScottPlot falls back to its default elsewhere
        var bars = new List<Bar>();
        var ticks = new List<Tick>();
        var max = 1.0;
        var rows = report.Rows.Where(r => r.Samples.Count > 0).ToArray();
        for (var i = 0; i < rows.Length; i++)
        {
            var r = rows[i];
            var center = i * 3.0;
            AddBar(bars, center - 0.5, r.Median(Metric.EndToEnd, SideKind.Tasks), TasksColor, r.TasksPending ? "pending" : null);
            AddBar(bars, center + 0.5, r.Median(Metric.EndToEnd, SideKind.Native), NativeColor, null);
            var ratio = r.RatioMedian(Metric.EndToEnd);
            var label = $"{r.Row}\nN = {r.Sizes.EndToEndCount.ToString("N0", CultureInfo.InvariantCulture)}" + (double.IsNaN(ratio) ? string.Empty : $"\nTasks/native {Format.Ratio(ratio)}");
            ticks.Add(new Tick(center, label));
            max = Math.Max(max, Math.Max(Finite(r.Median(Metric.EndToEnd, SideKind.Tasks)), Finite(r.Median(Metric.EndToEnd, SideKind.Native))));
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 11;

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 12;

        var logTicks = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => Math.Pow(10, y).ToString("N0", CultureInfo.InvariantCulture),
        };
        plot.Axes.Left.TickGenerator = logTicks;
        plot.Axes.Left.Label.Text = "tasks/s (log scale)";
        plot.Axes.SetLimits(-1.5, Math.Max(1.5, (rows.Length * 3.0) - 1.5), 0, Math.Ceiling(Math.Log10(max)) + 0.3);
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;

        plot.Legend.IsVisible = true;
        plot.Legend.Alignment = Alignment.UpperRight;
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "Tasks", FillColor = TasksColor });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "native API", FillColor = NativeColor });

        var mode = report.Options.Mode == BenchmarkMode.Quick ? "QUICK MODE (smoke test, not figures), " : string.Empty;
        plot.Title($"End-to-end no-op tasks/s, Tasks vs native API\n{mode}median of {report.Options.Runs} run(s), {report.Date:yyyy-MM-dd}, {report.Machine.Cores} cores, concurrency {report.Options.Concurrency}", size: 16);
        plot.SavePng(path, Math.Max(900, (240 * rows.Length) + 200), 560);
    }

    private static void AddBar(List<Bar> bars, double position, double value, Color color, string? missingLabel)
    {
        if (double.IsNaN(value) || value <= 0)
        {
            if (missingLabel is not null)
            {
                bars.Add(new Bar { Position = position, Value = 0.02, FillColor = Colors.LightGray, Label = missingLabel, Size = 0.9 });
            }

            return;
        }

        bars.Add(new Bar
        {
            Position = position,
            Value = Math.Log10(Math.Max(1, value)),
            FillColor = color,
            Size = 0.9,
            Label = value.ToString("N0", CultureInfo.InvariantCulture),
        });
    }

    private static double Finite(double v) => double.IsNaN(v) ? 0 : v;
}
