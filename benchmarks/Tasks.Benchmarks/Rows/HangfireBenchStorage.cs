using Hangfire;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// The Hangfire storage a native Hangfire side runs on, per run: how to reach it, make it, empty it and remove it.
/// One <see cref="HangfireNativeSide"/> serves every storage, so the PostgreSQL and Redis rows measure the same client
/// and server code.
/// </summary>
public abstract class HangfireBenchStorage : IAsyncDisposable
{
    /// <summary>What the table calls the storage, e.g. "Hangfire.PostgreSql".</summary>
    public abstract string Name { get; }

    /// <summary>Connects (failing with the start hint when the server is missing) and makes the storage.</summary>
    public abstract Task<JobStorage> CreateAsync(CancellationToken cancellationToken);

    /// <summary>Deletes every job of this run, leaving the storage usable.</summary>
    public abstract Task ResetAsync(CancellationToken cancellationToken);

    /// <summary>Removes everything of this run from the server (the harness is done with the side).</summary>
    public abstract Task DropAsync(CancellationToken cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
