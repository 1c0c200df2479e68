using Npgsql;
using Xunit;

namespace Tasks.PostgreSql.Tests;

/// <summary>
/// Several stores (or packages) that create their tables in one new schema at the same moment: PostgreSQL's
/// <c>CREATE SCHEMA IF NOT EXISTS</c> is not safe against a concurrent creation (the loser fails with a unique violation
/// on the catalog), and stores of different tables hold different advisory locks. None of them may fail for it.
/// </summary>
public sealed class PostgreSqlConcurrentCreationTests
{
    [Fact]
    public async Task Stores_creating_tables_in_one_new_schema_at_once_all_succeed()
    {
        for (var round = 0; round < 15; round++)
        {
            var schema = $"tasks_race_{Guid.NewGuid():N}"[..24];
            var stores = Enumerable.Range(0, 4)
                .Select(i => new PostgreSqlTaskResultStore(new PostgreSqlTaskResultStoreOptions { ConnectionString = PostgresServer.ConnectionString, Schema = schema, Table = $"results_{i}" }))
                .ToArray();
            try
            {
                using var start = new ManualResetEventSlim();
                var creations = stores.Select(s => Task.Run(async () =>
                {
                    start.Wait();
                    return await s.FindAsync(Guid.NewGuid().ToString());
                })).ToArray();
                start.Set();
                await Task.WhenAll(creations);
            }
            finally
            {
                foreach (var s in stores)
                {
                    await s.DisposeAsync();
                }

                await using var ds = NpgsqlDataSource.Create(PostgresServer.ConnectionString);
                await using var drop = ds.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
                await drop.ExecuteNonQueryAsync();
            }
        }
    }
}
