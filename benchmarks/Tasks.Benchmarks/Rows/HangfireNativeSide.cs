using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Tasks.Benchmarks.Harness;
using Tasks.Hangfire;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// The native side of the Hangfire rows: Hangfire's own <see cref="BackgroundJobClient"/> (<c>Enqueue</c> of a no-op
/// method; Hangfire has no bulk enqueue, so bulk is a loop of it) and a <see cref="BackgroundJobServer"/> with
/// Concurrency workers, on the row's <see cref="HangfireBenchStorage"/>, with the server settings the Tasks adapter uses
/// by default (schedule poll 1 s) and Hangfire's global filters. A job counts as succeeded when Hangfire applies its
/// Succeeded state.
/// </summary>
/// <param name="context">The run.</param>
/// <param name="storage">The storage, owned (and dropped) by this side.</param>
public sealed class HangfireNativeSide(SideContext context, HangfireBenchStorage storage) : BenchmarkSide
{
    /// <summary>The Hangfire queue of the no-op jobs.</summary>
    public const string Queue = "bench";

    private JobStorage? _storage;

    /// <inheritdoc />
    public override string Api => $"Hangfire BackgroundJobClient + BackgroundJobServer on {storage.Name}";

    /// <inheritdoc />
    public override async Task InitializeAsync(CancellationToken cancellationToken) =>
        _storage = await storage.CreateAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public override Task ResetAsync(CancellationToken cancellationToken) => storage.ResetAsync(cancellationToken);

    /// <inheritdoc />
    public override Task<IBenchmarkProducer> CreateProducerAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IBenchmarkProducer>(new Producer(new BackgroundJobClient(Storage)));

    /// <inheritdoc />
    public override Task<IAsyncDisposable> StartConsumerAsync(WorkCounter counter, CancellationToken cancellationToken)
    {
        var defaults = new HangfireTaskBackendOptions();
        var server = new BackgroundJobServer(
            new BackgroundJobServerOptions
            {
                ServerName = $"bench-native-{Environment.ProcessId}",
                Queues = [Queue],
                WorkerCount = context.Concurrency,
                SchedulePollingInterval = defaults.SchedulePollingInterval,
                Activator = new HangfireNoopJob.Activator(counter),
                FilterProvider = new JobFilterProviderCollection(JobFilterProviders.Providers, new JobFilterCollection { new HangfireNoopJob.CountingFilter(counter) }),
                ShutdownTimeout = TimeSpan.FromSeconds(15),
            },
            Storage);
        return Task.FromResult<IAsyncDisposable>(new Consumer(server));
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (!context.InWorkerProcess && _storage is not null)
        {
            // The harness is done with this side: leave nothing of the run on the server.
            await storage.DropAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await storage.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private JobStorage Storage => _storage ?? throw new InvalidOperationException("not initialized");

    private sealed class Producer(BackgroundJobClient client) : IBenchmarkProducer
    {
        // Hangfire's client is synchronous; the harness awaits each call, so it runs inline as a Hangfire app's would.
        public Task EnqueueAsync(long sent, CancellationToken cancellationToken)
        {
            client.Enqueue<HangfireNoopJob>(Queue, j => j.Run(sent));
            return Task.CompletedTask;
        }

        public Task EnqueueManyAsync(int count, CancellationToken cancellationToken)
        {
            for (var i = 0; i < count; i++)
            {
                client.Enqueue<HangfireNoopJob>(Queue, j => j.Run(0));
            }

            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Consumer(BackgroundJobServer server) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            server.SendStop();
            await server.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
            server.Dispose();
        }
    }
}
