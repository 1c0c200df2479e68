namespace Tasks.Benchmarks.Harness;

/// <summary>Lets the no-op handler and the observer of a <see cref="TasksSide"/> reach the worker's <see cref="WorkCounter"/>.</summary>
public sealed class BenchmarkProbe
{
    /// <summary>The counter, once the consumer started.</summary>
    public WorkCounter? Counter { get; set; }
}
