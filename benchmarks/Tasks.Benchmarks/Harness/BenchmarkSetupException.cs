namespace Tasks.Benchmarks.Harness;

/// <summary>A row cannot run: a server is missing or unreachable, or the row is misconfigured. The message says what to do.</summary>
public sealed class BenchmarkSetupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BenchmarkSetupException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
