using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.States;
using Tasks.Benchmarks.Harness;
using Tasks.Hangfire;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// The native side of <see cref="HangfireRow"/>: Hangfire's own <see cref="BackgroundJobClient"/> (<c>Enqueue</c> of a
/// no-op method; Hangfire has no bulk enqueue, so bulk is a loop of it) and a <see cref="BackgroundJobServer"/> with
/// Concurrency workers, on Hangfire.PostgreSql in a schema of its own, with the same storage and server settings the
/// Tasks adapter uses by default (queue poll 1 s, sliding invisibility timeout 1 min, schedule poll 1 s, no long
/// polling) and Hangfire's global filters. A job counts as succeeded when Hangfire applies its Succeeded state.
/// </summary>
public sealed class HangfireNativeSide(SideContext context) : BenchmarkSide
{
    /// <summary>The Hangfire queue of the no-op jobs.</summary>
    public const string Queue = "bench";

    private readonly string _schema = HangfireBenchSchema.Name(context, "native");
    private PostgreSqlStorage? _storage;

    /// <inheritdoc />
    public override string Api => "Hangfire BackgroundJobClient + BackgroundJobServer";

    /// <inheritdoc />
    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await HangfireBenchSchema.RequireAsync(context, cancellationToken).ConfigureAwait(false);
        _storage = CreateStorage(context.Servers.RequirePostgres(), _schema); // installs the schema
    }

    /// <inheritdoc />
    public override Task ResetAsync(CancellationToken cancellationToken) => HangfireBenchSchema.TruncateAsync(context, _schema, cancellationToken);

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
            await HangfireBenchSchema.DropAsync(context, _schema, CancellationToken.None).ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Hangfire.PostgreSql with the settings <see cref="HangfireTaskBackend"/> uses by default.</summary>
    internal static PostgreSqlStorage CreateStorage(string connectionString, string schema)
    {
        var defaults = new HangfireTaskBackendOptions();
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = schema,
            QueuePollInterval = defaults.QueuePollInterval,
            InvisibilityTimeout = defaults.InvisibilityTimeout,
            UseSlidingInvisibilityTimeout = true,
            EnableLongPolling = defaults.EnableLongPolling,
            PrepareSchemaIfNecessary = true,
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }

    private PostgreSqlStorage Storage => _storage ?? throw new InvalidOperationException("not initialized");

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
