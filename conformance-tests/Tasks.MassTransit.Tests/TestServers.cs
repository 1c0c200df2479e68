using Npgsql;
using RabbitMQ.Client;

namespace Tasks.MassTransit.Tests;

/// <summary>The real servers the tests use; a missing one fails the test with the command that starts it.</summary>
internal static class TestServers
{
    private const string Hint = "run `scripts/servers.sh start` and `eval \"$(scripts/servers.sh env)\"`, or run the whole suite with `scripts/test.sh`";

    public static string RabbitMq => Require("TASKS_TEST_RABBITMQ");

    public static string Postgres => Require("TASKS_TEST_POSTGRES");

    public static async Task<IConnection> ConnectRabbitMqAsync()
    {
        try
        {
            return await new ConnectionFactory { Uri = new Uri(RabbitMq), RequestedConnectionTimeout = TimeSpan.FromSeconds(5) }.CreateConnectionAsync();
        }
        catch (Exception ex) when (ex is not InvalidOperationException)
        {
            throw new InvalidOperationException($"RabbitMQ at TASKS_TEST_RABBITMQ is not reachable ({ex.Message}): {Hint}.", ex);
        }
    }

    public static async Task CheckPostgresAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(Postgres);
            await connection.OpenAsync();
        }
        catch (Exception ex) when (ex is not InvalidOperationException)
        {
            throw new InvalidOperationException($"PostgreSQL at TASKS_TEST_POSTGRES is not reachable ({ex.Message}): {Hint}.", ex);
        }
    }

    public static async Task DropSchemaAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: {Hint}.");
}
