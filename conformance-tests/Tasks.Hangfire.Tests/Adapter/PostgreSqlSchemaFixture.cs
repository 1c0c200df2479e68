using Xunit;

namespace Tasks.Hangfire.Tests.Adapter;

/// <summary>A PostgreSQL schema of its own for one adapter test class; dropped at the end.</summary>
public sealed class PostgreSqlSchemaFixture : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public string Schema { get; } = TestServers.NewSchema();

    public void Configure(HangfireTaskBackendOptions o)
    {
        PostgreSql.HangfirePostgreSqlFixture.Configure(o, ConnectionString, Schema);
    }

    public async Task InitializeAsync() => ConnectionString = await TestServers.RequirePostgresAsync();

    public Task DisposeAsync() =>
        string.IsNullOrEmpty(ConnectionString) ? Task.CompletedTask : TestServers.ExecuteAsync(ConnectionString, $"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE");
}
