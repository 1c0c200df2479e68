using System.Globalization;

namespace Tasks.Benchmarks.Harness;

/// <summary>The command line: <c>[--quick] [--filter &lt;row substring&gt; | =&lt;row name&gt;] [--runs N] [--slices N] [--concurrency N] [--out DIR]</c>.</summary>
public sealed record BenchmarkOptions
{
    /// <summary>The usage text.</summary>
    public const string Usage = """
        usage: dotnet run -c Release --project benchmarks/Tasks.Benchmarks -- [options]
               (or scripts/bench.sh [options], which starts the servers first)
          --quick            a few seconds per row (what CI runs); numbers are only a smoke test
          --filter <text>    only rows whose name contains <text> (case-insensitive); repeatable;
                             --filter =<name> selects the row of exactly that name
          --runs <N>         repetitions of each Tasks/native pair (default: 5, quick: 1)
          --slices <N>       within a run, measure Tasks and native in N alternating slices per measure (default: 1,
                             one block per side); see benchmarks/README.md, "Interleaved slices"
          --concurrency <N>  tasks a worker runs at once, both sides (default: 8)
          --out <dir>        where results go (default: benchmarks/results, quick: artifacts/benchmarks-quick)
          --list             print the rows and exit
        """;

    /// <summary>Quick or full.</summary>
    public BenchmarkMode Mode { get; init; } = BenchmarkMode.Full;

    /// <summary>Row name substrings, or <c>=</c> and a whole row name; empty: every row.</summary>
    public IReadOnlyList<string> Filters { get; init; } = [];

    /// <summary>Repetitions of each pair.</summary>
    public int Runs { get; init; } = 5;

    /// <summary>
    /// Slices per measure within one run: 1 measures each side in one block (enqueue, then a worker process for end to
    /// end, latency and memory); more splits enqueue 1-by-1, enqueue bulk and end to end into that many slices per side,
    /// run in the order Tasks, native, native, Tasks, ... with both sides' worker processes up, so a drift in the
    /// machine's speed falls on both sides alike.
    /// </summary>
    public int Slices { get; init; } = 1;

    /// <summary>Worker concurrency.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>Output folder; <see langword="null"/>: the mode's default under the repository root.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Only list the rows.</summary>
    public bool List { get; init; }

    /// <summary>The command that reproduces this run, for the Markdown header.</summary>
    public string Command { get; init; } = string.Empty;

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <exception cref="ArgumentException">An unknown option or a bad value; the message is for the user.</exception>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchmarkOptions();
        var filters = new List<string>();
        int? runs = null;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Positive()
            {
                var name = args[i];
                return int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} needs a positive whole number");
            }

            switch (args[i])
            {
                case "--quick":
                    options = options with { Mode = BenchmarkMode.Quick };
                    break;
                case "--filter":
                    filters.Add(Value());
                    break;
                case "--runs":
                    runs = Positive();
                    break;
                case "--slices":
                    options = options with { Slices = Positive() };
                    break;
                case "--concurrency":
                    options = options with { Concurrency = Positive() };
                    break;
                case "--out":
                    options = options with { OutputDirectory = Value() };
                    break;
                case "--list":
                    options = options with { List = true };
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }

        var command = Environment.GetEnvironmentVariable("TASKS_BENCH_COMMAND") is { Length: > 0 } c
            ? c
            : "dotnet run -c Release --project benchmarks/Tasks.Benchmarks --" + string.Concat(args.Select(a => " " + a));
        return options with
        {
            Filters = filters,
            Runs = runs ?? (options.Mode == BenchmarkMode.Quick ? 1 : 5),
            Command = command,
        };
    }

    /// <summary>Whether <paramref name="row"/> passes the filters: one contains it, or one is <c>=</c> and its whole name.</summary>
    /// <remarks>The exact form exists because some names contain others (<c>Hangfire</c> is in <c>RedisVsHangfire</c>).</remarks>
    public bool Selects(string row) => Filters.Count == 0 || Filters.Any(f => f.StartsWith('=')
        ? string.Equals(row, f[1..], StringComparison.OrdinalIgnoreCase)
        : row.Contains(f, StringComparison.OrdinalIgnoreCase));
}
