namespace Tasks.Cli;

/// <summary>Every backend type the tool can open from configuration.</summary>
internal static class KnownBackendTypes
{
    public static TasksBuilder AddKnownBackendTypes(this TasksBuilder tasks) => tasks;
}
