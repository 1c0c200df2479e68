using System.Globalization;

namespace Tasks.Benchmarks.Harness;

/// <summary>
/// The line protocol between the harness and a worker process. The harness writes one command per line to the
/// worker's standard input; the worker answers each with one line on standard output that starts with
/// <see cref="Prefix"/> (other output, e.g. a library writing to the console, is ignored).
/// <code>
/// (start)                         -> #bench ready
/// arm &lt;expected&gt; &lt;latency 0|1&gt;   -> #bench ok              (GC, then count from zero)
/// produce-bulk &lt;count&gt; &lt;batch&gt;   -> #bench ok              (in-process sides: the worker enqueues)
/// produce-steady &lt;count&gt; &lt;rate&gt;  -> #bench ok
/// wait &lt;timeout ms&gt;               -> #bench ok &lt;completed-at&gt; &lt;extra&gt; &lt;samples&gt; &lt;p50&gt; &lt;p99&gt; &lt;max&gt;   (Stopwatch ticks)
/// stats                           -> #bench ok &lt;peak working set&gt; &lt;working set&gt; &lt;GC heap&gt;   (bytes)
/// exit                            -> #bench ok, then the process ends
/// any failure                     -> #bench error &lt;message&gt;
/// </code>
/// </summary>
public static class WorkerProtocol
{
    /// <summary>The first argument that makes the program a worker process.</summary>
    public const string Verb = "worker";

    /// <summary>Starts every protocol line the worker writes.</summary>
    public const string Prefix = "#bench ";

    /// <summary>Formats a number for the protocol.</summary>
    public static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses a number of the protocol.</summary>
    public static long ParseNum(string value) => long.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);
}
