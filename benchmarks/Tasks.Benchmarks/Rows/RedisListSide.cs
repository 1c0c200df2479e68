using StackExchange.Redis;
using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// The native side of <see cref="RedisRow"/>: a raw Redis list queue with StackExchange.Redis. LPUSH one value (the
/// send timestamp) per task, one LPUSH with many values for bulk; the consumer runs Concurrency loops of BRPOP on a
/// connection of its own (a blocking command holds its connection, so it never shares the producer's), each
/// handling the popped task inline. No acknowledgement, no result record: the least a Redis queue can do.
/// </summary>
public sealed class RedisListSide(SideContext context) : BenchmarkSide
{
    private static readonly TimeSpan BlockingTimeout = TimeSpan.FromSeconds(1);

    private readonly RedisKey _key = $"{context.RunId}:native:queue";
    private ConnectionMultiplexer? _redis;

    /// <inheritdoc />
    public override string Api => "StackExchange.Redis LPUSH / BRPOP";

    /// <inheritdoc />
    public override async Task InitializeAsync(CancellationToken cancellationToken) =>
        _redis = await RedisConnections.ConnectAsync(context.Servers).ConfigureAwait(false);

    /// <inheritdoc />
    public override Task ResetAsync(CancellationToken cancellationToken) => Redis.GetDatabase().KeyDeleteAsync(_key);

    /// <inheritdoc />
    public override Task<IBenchmarkProducer> CreateProducerAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IBenchmarkProducer>(new Producer(Redis.GetDatabase(), _key));

    /// <inheritdoc />
    public override async Task<IAsyncDisposable> StartConsumerAsync(WorkCounter counter, CancellationToken cancellationToken)
    {
        // Blocked BRPOPs queue behind each other on this connection: allow for Concurrency of them in a row.
        var blocking = await RedisConnections.ConnectAsync(context.Servers, TimeSpan.FromSeconds(30) + (context.Concurrency * BlockingTimeout)).ConfigureAwait(false);
        var consumer = new Consumer(blocking);
        consumer.Start(_key, context.Concurrency, counter);
        return consumer;
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private ConnectionMultiplexer Redis => _redis ?? throw new InvalidOperationException("not initialized");

    private sealed class Producer(IDatabase db, RedisKey key) : IBenchmarkProducer
    {
        public Task EnqueueAsync(long sent, CancellationToken cancellationToken) => db.ListLeftPushAsync(key, sent);

        public Task EnqueueManyAsync(int count, CancellationToken cancellationToken)
        {
            var values = new RedisValue[count];
            Array.Fill(values, (RedisValue)0L);
            return db.ListLeftPushAsync(key, values);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Consumer(ConnectionMultiplexer redis) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task[] _loops = [];

        public void Start(RedisKey key, int concurrency, WorkCounter counter)
        {
            var db = redis.GetDatabase();
            var timeout = (long)BlockingTimeout.TotalSeconds;
            _loops = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    RedisResult popped;
                    try
                    {
                        popped = await db.ExecuteAsync("BRPOP", key, timeout).ConfigureAwait(false);
                    }
                    catch (Exception) when (_stop.IsCancellationRequested)
                    {
                        return;
                    }

                    if (popped.IsNull)
                    {
                        continue; // timed out: nothing queued
                    }

                    var pair = (RedisResult[])popped!;
                    counter.Started((long)pair[1]);
                    counter.Succeeded();
                }
            })).ToArray();
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);

            // Closing the connection ends the blocked BRPOPs at once.
            await redis.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            await Task.WhenAll(_loops).ConfigureAwait(false);
            await redis.DisposeAsync().ConfigureAwait(false);
            _stop.Dispose();
        }
    }
}
