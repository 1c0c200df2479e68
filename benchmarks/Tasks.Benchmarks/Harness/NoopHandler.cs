namespace Tasks.Benchmarks.Harness;

/// <summary>Does nothing but tell the counter it started.</summary>
public sealed class NoopHandler(BenchmarkProbe probe) : ITaskHandler<NoopArgs>
{
    /// <inheritdoc />
    public Task HandleAsync(NoopArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        probe.Counter?.Started(args.Sent);
        return Task.CompletedTask;
    }
}
