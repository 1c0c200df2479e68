using MassTransit;
using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>The native side's consumer in <see cref="MassTransitRow"/>: notes the start and, as it returns, the success (MassTransit then acknowledges).</summary>
public sealed class MassTransitNoopConsumer(WorkCounter counter) : IConsumer<MassTransitBenchMessage>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<MassTransitBenchMessage> context)
    {
        counter.Started(context.Message.Sent);
        counter.Succeeded();
        return Task.CompletedTask;
    }
}
