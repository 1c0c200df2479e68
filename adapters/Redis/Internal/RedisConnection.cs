using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Tasks.Redis.Internal;

/// <summary>
/// The backend's one shared multiplexer, connected on first use (so building a host never blocks on Redis, and an
/// unreachable server shows up as <see cref="TaskBackendUnavailableException"/> on the call that needed it). After the
/// first connect StackExchange.Redis reconnects by itself; pub/sub runs on its own subscription connection.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly string _backend;
    private readonly ConfigurationOptions? _configuration;
    private readonly Func<Task<IConnectionMultiplexer>>? _factory;
    private readonly int _database;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private IConnectionMultiplexer? _multiplexer;
    private bool _owned;
    private bool _disposed;

    public RedisConnection(string backend, ConfigurationOptions? configuration, Func<Task<IConnectionMultiplexer>>? factory, int? database, ILogger logger)
    {
        _backend = backend;
        _configuration = configuration;
        _factory = factory;
        _database = database ?? -1;
        _logger = logger;
        Endpoints = configuration is null ? "(supplied connection)" : string.Join(",", configuration.EndPoints.Select(e => e.ToString()));
    }

    /// <summary>Raised when a connection comes back after a drop (pub/sub messages may have been missed meanwhile).</summary>
    public event Action? Restored;

    /// <summary>The server endpoints, safe to log (no credentials).</summary>
    public string Endpoints { get; }

    /// <summary>The database, connecting first if needed.</summary>
    /// <exception cref="TaskBackendUnavailableException">Redis cannot be reached.</exception>
    public async ValueTask<IDatabase> DatabaseAsync(CancellationToken cancellationToken = default) =>
        (await MultiplexerAsync(cancellationToken).ConfigureAwait(false)).GetDatabase(_database);

    /// <summary>The multiplexer, connecting first if needed.</summary>
    /// <exception cref="TaskBackendUnavailableException">Redis cannot be reached.</exception>
    public async ValueTask<IConnectionMultiplexer> MultiplexerAsync(CancellationToken cancellationToken = default)
    {
        var current = Volatile.Read(ref _multiplexer);
        if (current is not null)
        {
            return current;
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_multiplexer is not null)
            {
                return _multiplexer;
            }

            IConnectionMultiplexer connected;
            try
            {
                if (_factory is not null)
                {
                    connected = await _factory().ConfigureAwait(false);
                    _owned = false;
                }
                else
                {
                    connected = await ConnectionMultiplexer.ConnectAsync(_configuration!).ConfigureAwait(false);
                    _owned = true;
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or System.Net.Sockets.SocketException)
            {
                RedisLog.ConnectFailed(_logger, _backend, Endpoints, ex.GetType().Name);
                throw new TaskBackendUnavailableException(_backend, $"connecting to Redis at {Endpoints}", ex);
            }

            connected.ConnectionFailed += OnConnectionFailed;
            connected.ConnectionRestored += OnConnectionRestored;
            Volatile.Write(ref _multiplexer, connected);
            return connected;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connectLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_multiplexer is { } multiplexer)
            {
                multiplexer.ConnectionFailed -= OnConnectionFailed;
                multiplexer.ConnectionRestored -= OnConnectionRestored;
                if (_owned)
                {
                    await multiplexer.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        RedisLog.ConnectionLost(_logger, _backend, e.EndPoint?.ToString() ?? Endpoints, e.ConnectionType.ToString(), e.FailureType.ToString());

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        RedisLog.ConnectionRestored(_logger, _backend, e.EndPoint?.ToString() ?? Endpoints, e.ConnectionType.ToString());
        Restored?.Invoke();
    }
}
