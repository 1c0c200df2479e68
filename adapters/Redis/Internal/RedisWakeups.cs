using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Tasks.Redis.Internal;

/// <summary>
/// Wakes this process's idle receivers when a queue gains work: one subscription per backend to <c>&lt;prefix&gt;:wake</c>,
/// whose messages name the queue. A dropped connection may lose messages, so a restored connection wakes everyone.
/// </summary>
internal sealed class RedisWakeups : IAsyncDisposable
{
    private readonly RedisConnection _connection;
    private readonly RedisChannel _channel;
    private readonly string _backend;
    private readonly TimeSpan _pollInterval;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<RedisTaskReceiver, byte> _receivers = new();
    private readonly object _gate = new();
    private Task? _subscribed;

    public RedisWakeups(RedisConnection connection, string channel, string backend, TimeSpan pollInterval, ILogger logger)
    {
        _connection = connection;
        _channel = RedisChannel.Literal(channel);
        _backend = backend;
        _pollInterval = pollInterval;
        _logger = logger;
        connection.Restored += WakeAll;
    }

    /// <summary>Starts waking <paramref name="receiver"/>.</summary>
    public void Add(RedisTaskReceiver receiver) => _receivers.TryAdd(receiver, 0);

    /// <summary>Stops waking <paramref name="receiver"/>.</summary>
    public void Remove(RedisTaskReceiver receiver) => _receivers.TryRemove(receiver, out _);

    /// <summary>Subscribes once; a failure is logged and retried on the next call (idle workers poll meanwhile).</summary>
    public async Task EnsureSubscribedAsync()
    {
        Task subscribing;
        lock (_gate)
        {
            _subscribed ??= SubscribeAsync();
            subscribing = _subscribed;
        }

        try
        {
            await subscribing.ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsUnavailable(ex))
        {
            lock (_gate)
            {
                if (_subscribed == subscribing)
                {
                    _subscribed = null;
                }
            }

            RedisLog.SubscribeFailed(_logger, ex, _backend, _pollInterval);
        }
    }

    private async Task SubscribeAsync()
    {
        var multiplexer = await _connection.MultiplexerAsync().ConfigureAwait(false);
        await multiplexer.GetSubscriber().SubscribeAsync(_channel, (_, queue) => Wake(queue.ToString())).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _connection.Restored -= WakeAll;
        Task? subscribed;
        lock (_gate)
        {
            subscribed = _subscribed;
            _subscribed = null;
        }

        if (subscribed is { IsCompletedSuccessfully: true })
        {
            try
            {
                // Matters for a shared connection, which outlives this backend.
                var multiplexer = await _connection.MultiplexerAsync().ConfigureAwait(false);
                await multiplexer.GetSubscriber().UnsubscribeAsync(_channel).ConfigureAwait(false);
            }
            catch (Exception ex) when (RedisErrors.IsUnavailable(ex) || ex is ObjectDisposedException)
            {
                // Gone with the connection anyway.
            }
        }
    }

    private void Wake(string queue)
    {
        foreach (var receiver in _receivers.Keys)
        {
            if (receiver.Serves(queue))
            {
                receiver.Wake();
            }
        }
    }

    private void WakeAll()
    {
        foreach (var receiver in _receivers.Keys)
        {
            receiver.Wake();
            receiver.HeartbeatSoon();
        }
    }
}
