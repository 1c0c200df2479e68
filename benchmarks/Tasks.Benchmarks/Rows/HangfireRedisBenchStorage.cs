using Hangfire;
using Hangfire.Redis.StackExchange;
using StackExchange.Redis;
using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// Hangfire.Redis.StackExchange on the benchmark Redis, every key of this run under a prefix of its own (so a reset
/// deletes exactly this run's jobs), with the storage's default fetch and invisibility settings.
/// </summary>
public sealed class HangfireRedisBenchStorage(SideContext context) : HangfireBenchStorage
{
    private readonly string _prefix = context.RunId + ":hangfire:";
    private ConnectionMultiplexer? _redis;

    /// <inheritdoc />
    public override string Name => "Hangfire.Redis.StackExchange";

    /// <inheritdoc />
    public override async Task<JobStorage> CreateAsync(CancellationToken cancellationToken)
    {
        _redis ??= await RedisConnections.ConnectAsync(context.Servers).ConfigureAwait(false);
        return new RedisStorage(_redis, new RedisStorageOptions { Prefix = _prefix });
    }

    /// <inheritdoc />
    public override async Task ResetAsync(CancellationToken cancellationToken) =>
        await RedisConnections.DeleteByPrefixAsync(context.Servers, _prefix, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public override Task DropAsync(CancellationToken cancellationToken) => ResetAsync(cancellationToken);

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
