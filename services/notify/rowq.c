#include "rowq.h"

#include <errno.h>
#include <stdlib.h>

struct rowq {
    rowq_row_t *rows;          /* a ring of `cap` */
    size_t head, len, cap;
};

void rowq_row_free(rowq_row_t *r)
{
    free(r->idem_key);
    free(r->kind);
    free(r->recipient);
    free(r->channel);
    free(r->destination);
    free(r->secret);
    free(r->subject);
    free(r->body);
    *r = (rowq_row_t){0};
}

rowq_t *rowq_new(void)
{
    return calloc(1, sizeof(rowq_t));
}

/* Doubles the ring (256 rows at first), its rows from index 0. */
static int s_grow(rowq_t *q)
{
    size_t cap = q->cap ? q->cap * 2 : 256;
    rowq_row_t *grown = malloc(cap * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    for (size_t i = 0; i < q->len; i++)
        grown[i] = q->rows[(q->head + i) % q->cap];
    free(q->rows);
    q->rows = grown;
    q->head = 0;
    q->cap = cap;
    return 0;
}

int rowq_push(rowq_t *q, rowq_row_t *row, int front)
{
    if (q->len == q->cap && s_grow(q))
        return -ENOMEM;
    if (front) {
        q->head = (q->head + q->cap - 1) % q->cap;
        q->rows[q->head] = *row;
    } else {
        q->rows[(q->head + q->len) % q->cap] = *row;
    }
    q->len++;
    *row = (rowq_row_t){0};
    return 0;
}

int rowq_pop(rowq_t *q, rowq_row_t *out)
{
    if (!q->len)
        return -ENOENT;
    *out = q->rows[q->head];
    q->head = (q->head + 1) % q->cap;
    q->len--;
    return 0;
}

size_t rowq_len(const rowq_t *q)
{
    return q->len;
}

void rowq_destroy(rowq_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rowq_t *q = *self_p;
    *self_p = NULL;
    for (rowq_row_t row; rowq_pop(q, &row) == 0;)
        rowq_row_free(&row);
    free(q->rows);
    free(q);
}
