using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// The Tasks pipeline's own cost: the built-in InMemory backend (envelope, JSON arguments, result records, worker
/// loop) against the least a process can do for the same no-op work, a <see cref="System.Threading.Channels.Channel{T}"/>
/// producer/consumer. Both queues live in one process, so enqueue and work both happen in the worker process.
/// </summary>
public sealed class InMemoryRow : BenchmarkRow
{
    /// <inheritdoc />
    public override string Name => "InMemory";

    /// <inheritdoc />
    public override string Engine => "in-process (no server)";

    /// <inheritdoc />
    public override BenchmarkSizes Sizes(BenchmarkMode mode) =>
        mode == BenchmarkMode.Full ? base.Sizes(mode) with { EnqueueSingleCount = 100_000 } : base.Sizes(mode);

    /// <inheritdoc />
    public override IBenchmarkSide CreateTasksSide(SideContext context) =>
        new TasksSide(context, "ITaskQueue + InMemory backend", tasks => tasks.AddInMemoryBackend(TasksSide.Alias), inProcessOnly: true);

    /// <inheritdoc />
    public override IBenchmarkSide CreateNativeSide(SideContext context) => new ChannelSide(context);
}
