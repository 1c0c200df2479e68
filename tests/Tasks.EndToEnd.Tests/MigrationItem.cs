namespace Tasks.EndToEnd.Tests;

/// <summary>Arguments of the task the migration tests move.</summary>
public sealed record MigrationItem(int Number, string Text);
