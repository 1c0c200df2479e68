using Npgsql;
using Xunit;

namespace Tasks.PostgreSql.Tests;

public sealed class PostgreSqlTaskResultStoreTests : IAsyncLifetime
{
    private readonly string _schema = $"tasks_store_{Guid.NewGuid():N}"[..24];
    private PostgreSqlTaskResultStore _store = null!;

    public Task InitializeAsync()
    {
        _store = new PostgreSqlTaskResultStore(new PostgreSqlTaskResultStoreOptions { ConnectionString = PostgresServer.ConnectionString, Schema = _schema });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await using (var ds = NpgsqlDataSource.Create(PostgresServer.ConnectionString))
        await using (var cmd = ds.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE"))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        await _store.DisposeAsync();
    }

    private static TaskResult NewResult(string? name = null) => TaskResult.ForEnqueued(new TaskEnvelope
    {
        Id = Guid.NewGuid().ToString(),
        TaskName = name ?? "store.test",
        Queue = "default",
        Priority = 5,
        Arguments = "{\"text\":\"Zoë 東京\"}",
        EnqueuedAt = DateTimeOffset.UtcNow,
        MaxAttempts = 3,
    }, "pg");

    [Fact]
    public async Task Created_results_are_found_exactly()
    {
        var results = Enumerable.Range(0, 50).Select(_ => NewResult()).ToArray();

        await _store.CreateAsync(results);

        foreach (var r in results)
        {
            var found = await _store.FindAsync(r.Id);
            Assert.NotNull(found);
            Assert.Equal(TaskJson.Serialize(r), TaskJson.Serialize(found!));
        }

        Assert.Null(await _store.FindAsync(Guid.NewGuid().ToString()));
        Assert.Null(await _store.FindAsync("not-a-guid"));
    }

    [Fact]
    public async Task Update_is_compare_and_set_on_version()
    {
        var r = NewResult();
        await _store.CreateAsync([r]);
        var running = r with { Status = TaskResultStatus.Running, Attempts = 1, Version = 1 };

        Assert.True(await _store.TryUpdateAsync(running, expectedVersion: 0));
        Assert.False(await _store.TryUpdateAsync(r with { Status = TaskResultStatus.Cancelled, Version = 1 }, expectedVersion: 0));
        var found = await _store.FindAsync(r.Id);
        Assert.Equal(TaskResultStatus.Running, found!.Status);
        Assert.Equal(1, found.Version);
        Assert.False(await _store.TryUpdateAsync(NewResult() with { Version = 1 }, 0), "an unknown id updates nothing");
    }

    [Fact]
    public async Task Concurrent_updates_have_exactly_one_winner()
    {
        var r = NewResult();
        await _store.CreateAsync([r]);

        var wins = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => _store.TryUpdateAsync(r with { Attempts = i, Version = 1 }, 0)));

        Assert.Single(wins, w => w);
        var stored = await _store.FindAsync(r.Id);
        Assert.Equal(1, stored!.Version);
        Assert.Equal(Array.IndexOf(wins, true), stored.Attempts); // the stored result is the winner's
    }

    [Fact]
    public async Task A_burst_of_updates_of_many_results_applies_each_once_and_in_order_per_result()
    {
        // Many deliveries writing at once, as a busy worker does: the updates go in shared statements. Each result gets a
        // Running then a Succeeded write queued back to back, without waiting in between, so both can wait in one batch.
        var results = Enumerable.Range(0, 120).Select(_ => NewResult()).ToArray();
        await _store.CreateAsync(results);

        var writes = results.SelectMany(r => new[]
        {
            _store.TryUpdateAsync(r with { Status = TaskResultStatus.Running, Attempts = 1, Version = 1 }, 0),
            _store.TryUpdateAsync(r with { Status = TaskResultStatus.Succeeded, Attempts = 1, Version = 2, FinishedAt = DateTimeOffset.UtcNow }, 1),
            _store.TryUpdateAsync(r with { Status = TaskResultStatus.Cancelled, Version = 1 }, 0), // loses: the version moved on
        }).ToArray();
        var applied = await Task.WhenAll(writes);

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal((true, true, false), (applied[i * 3], applied[(i * 3) + 1], applied[(i * 3) + 2]));
            var stored = await _store.FindAsync(results[i].Id);
            Assert.Equal((TaskResultStatus.Succeeded, 2L), (stored!.Status, stored.Version));
        }
    }

    [Fact]
    public async Task Delete_and_purge_remove_rows()
    {
        var keep = NewResult();
        var drop = NewResult();
        var old = NewResult();
        await _store.CreateAsync([keep, drop, old]);
        await _store.DeleteAsync([drop.Id]);
        Assert.Null(await _store.FindAsync(drop.Id));

        var longAgo = DateTimeOffset.UtcNow.AddDays(-30);
        Assert.True(await _store.TryUpdateAsync(old with { Status = TaskResultStatus.Succeeded, FinishedAt = longAgo, Version = 1 }, 0));
        // Finishing a task also runs the periodic purge, so the old row may already be gone before PurgeAsync.
        var purged = await _store.PurgeAsync();

        Assert.InRange(purged, 0, 1);
        Assert.Null(await _store.FindAsync(old.Id));
        Assert.Equal(0, await _store.PurgeAsync());
        Assert.NotNull(await _store.FindAsync(keep.Id));
    }

    [Fact]
    public async Task Schema_creation_is_idempotent_across_instances()
    {
        var options = new PostgreSqlTaskResultStoreOptions { ConnectionString = PostgresServer.ConnectionString, Schema = _schema };
        var stores = Enumerable.Range(0, 4).Select(_ => new PostgreSqlTaskResultStore(options)).ToArray();

        await Task.WhenAll(stores.Select(s => s.CreateAsync([NewResult()])));

        foreach (var s in stores)
        {
            await s.DisposeAsync();
        }
    }

    [Fact]
    public async Task Unreachable_server_gives_typed_error()
    {
        await using var store = new PostgreSqlTaskResultStore(new PostgreSqlTaskResultStoreOptions
        {
            ConnectionString = "Host=127.0.0.1;Port=1;Username=postgres;Password=secret-pw;Timeout=2",
            Schema = _schema,
        });

        var ex = await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => store.CreateAsync([NewResult()]));

        Assert.DoesNotContain("secret-pw", ex.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad-name")]
    [InlineData("x; DROP TABLE y")]
    [InlineData("")]
    public void Invalid_identifiers_are_refused(string schema) =>
        Assert.Throws<TaskConfigurationException>(() => new PostgreSqlTaskResultStore(new PostgreSqlTaskResultStoreOptions { ConnectionString = "Host=x", Schema = schema }));
}
