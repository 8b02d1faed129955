/**
 * Environments by project and by runner: DeleteProject and DeleteRunner mark them deleted in batches
 * found by these columns, and deleting a project or runner makes PostgreSQL's foreign-key action look
 * them up too (without an index, each batch and each action read the whole table).
 */
export const up = `
create index environments_project on environments(project_id);
create index environments_runner on environments(runner_id);
`;
